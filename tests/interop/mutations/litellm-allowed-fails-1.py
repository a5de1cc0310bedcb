#!/usr/bin/env python3
# Mutation: LiteLLM allowed_fails 1 instead of its default 3 (switches on count-based cooldown).
import sys
p = sys.argv[1]
if p.endswith('.yaml'):
    s = open(p).read().replace('allowed_fails: 3', 'allowed_fails: 1')
    open(p, 'w').write(s)
