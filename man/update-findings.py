#!/usr/bin/env python3
"""Rewrites the FINDINGS section of man/gpudiag.1 from harness/checks/catalogue.c,
so the man page says exactly what the program's catalogue says.
Run from the source root: python3 man/update-findings.py"""
import re

src = open('harness/checks/catalogue.c').read()
entries = re.findall(r'\{ "([a-z0-9.-]+)", GD_SEV_(\w+), GD_EFFECT_(\w+), ([A-Z0-9_|() ]+?),\s*"((?:[^"\\]|\\.)*)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}', src)
# Second rows: { "id", "variant", GD_SEV_..., GD_EFFECT_..., "when ..." }
variants = re.findall(r'\{ "([a-z0-9.-]+)", "([a-z0-9-]+)", GD_SEV_(\w+), GD_EFFECT_(\w+),\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}', src)


def joined(literals):
    return ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', literals)).replace('\\"', '"').replace('\\', '\\\\')


ROLE_NAMES = {'HOST': 'host', 'GUEST': 'guest', 'GUEST_VIOMMU': 'guest-with-viommu', 'XEN_DOM0': 'xen-dom0',
              'XEN_DOMU': 'xen-domu', 'UNKNOWN': 'unknown'}
ROLE_SETS = {'ALL': list(ROLE_NAMES), 'HOST_SIDE': ['HOST', 'GUEST_VIOMMU', 'UNKNOWN'],
             'GUEST_SIDE': ['GUEST', 'GUEST_VIOMMU', 'XEN_DOMU'], 'DOM0': ['XEN_DOM0']}


def roles(expr):
    """The roles column (model/role.h) in words, in the order of ROLE_NAMES."""
    got = set()
    for part in expr.split('|'):
        part = part.strip()
        m = re.fullmatch(r'GD_ROLES_(\w+)', part) or re.fullmatch(r'GD_ROLE_BIT\(GD_ROLE_(\w+)\)', part)
        got |= set(ROLE_SETS.get(m.group(1), [m.group(1)]))
    if got == set(ROLE_NAMES):
        return 'every role'
    return ', '.join(ROLE_NAMES[r] for r in ROLE_NAMES if r in got)


EFFECT = {'BLOCKS': 'NOT READY', 'UNKNOWN': 'UNKNOWN', 'NONE': 'no effect on the verdict'}
out = []
for ident, sev, eff, rexpr, title, expl in entries:
    out.append('.TP\n.B %s\n(%s; %s; applies to %s) %s. %s\n' % (ident, sev.lower(), EFFECT[eff], roles(rexpr),
                                                                 title[0].upper() + title[1:], joined(expl)))
    for vid, name, vsev, veff, when in variants:
        if vid == ident:
            out.append('.br\nAlso (%s; %s) %s.\n' % (vsev.lower(), EFFECT[veff], joined(when)))
man = open('man/gpudiag.1').read()
head = 'Each finding has a stable id, a severity, and an effect on the verdict.\n'
a = man.index(head) + len(head)
b = man.index('.SH EXIT STATUS')
open('man/gpudiag.1', 'w').write(man[:a] + ''.join(out) + man[b:])
print('%d findings, %d variants' % (len(entries), len(variants)))
