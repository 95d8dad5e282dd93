#!/usr/bin/env python3
"""Rewrites the FINDINGS section of man/gpudiag.1 from harness/checks/catalogue.c,
so the man page says exactly what the program's catalogue says.
Run from the source root: python3 man/update-findings.py"""
import re

src = open('harness/checks/catalogue.c').read()
entries = re.findall(r'\{ "([a-z0-9.-]+)", GD_SEV_(\w+), GD_EFFECT_(\w+),\s*"((?:[^"\\]|\\.)*)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}', src)
out = []
for ident, sev, eff, title, expl in entries:
    text = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', expl)).replace('\\"', '"').replace('\\', '\\\\')
    eff = {'BLOCKS': 'NOT READY', 'UNKNOWN': 'UNKNOWN', 'NONE': 'no effect on the verdict'}[eff]
    out.append('.TP\n.B %s\n(%s; %s) %s. %s\n' % (ident, sev.lower(), eff, title[0].upper() + title[1:], text))
man = open('man/gpudiag.1').read()
head = 'Each finding has a stable id, a severity, and an effect on the verdict.\n'
a = man.index(head) + len(head)
b = man.index('.SH EXIT STATUS')
open('man/gpudiag.1', 'w').write(man[:a] + ''.join(out) + man[b:])
print('%d findings' % len(entries))
