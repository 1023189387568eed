"""Pure rules: no I/O, no framework imports. Controllers call these after their queries."""
