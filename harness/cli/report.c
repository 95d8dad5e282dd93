/* SPDX-License-Identifier: MIT */
int cmd_report(int argc, char **argv);
int cmd_report(int argc, char **argv) { (void) argc; (void) argv; return 2; }
