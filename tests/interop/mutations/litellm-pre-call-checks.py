#!/usr/bin/env python3
# Mutation: LiteLLM enable_pre_call_checks: true, which makes the router skip a
# deployment whose `rpm` is used up for the clock minute (router.py
# `_pre_call_checks`), before the provider answers 429.
import sys
p = sys.argv[1]
if p.endswith('.yaml'):
    s = open(p).read().replace('router_settings:\n', 'router_settings:\n  enable_pre_call_checks: true\n', 1)
    open(p, 'w').write(s)
