#!/usr/bin/env python3
# Mutation: Portkey's default retry statuses (no 408): timeouts are not retried.
import json, sys
p = sys.argv[1]
if p.endswith('.json'):
    d = json.load(open(p))
    for cfg in d.values():
        for t in cfg['targets']:
            t['retry'].pop('on_status_codes', None)
    json.dump(d, open(p, 'w'))
