#!/usr/bin/env python3
# Mutation: Portkey retry.attempts set to the plan's tries instead of its retries.
import json, sys
p = sys.argv[1]
if p.endswith('.json'):
    d = json.load(open(p))
    for cfg in d.values():
        for t in cfg['targets']:
            t['retry']['attempts'] += 1
    json.dump(d, open(p, 'w'))
