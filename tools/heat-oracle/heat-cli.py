#!/usr/bin/python3
"""The magnum-heat CLI contract (/work/brief/heat-contract.md) answered by Heat 19 itself.

Developer tool for checking the corpus harness: `tests/heat_corpus/run.py --magnum-heat
tools/heat-oracle/heat-cli.py` must report full agreement (needs python3-heat installed).

  heat-cli.py validate TEMPLATE [-e ENV]... [-P name=value]... [--files FILES.json]
  heat-cli.py resolve  TEMPLATE [-e ENV]... [-P name=value]... [--files FILES.json]
                       [--stack-name NAME]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd', choices=['validate', 'resolve'])
    ap.add_argument('template')
    ap.add_argument('-e', dest='envs', action='append', default=[])
    ap.add_argument('-P', dest='params', action='append', default=[])
    ap.add_argument('--files')
    ap.add_argument('--attrs')
    ap.add_argument('--stack-name', default='corpus')
    try:
        a = ap.parse_args()
        text = open(a.template, encoding='utf-8').read()
        files = json.load(open(a.files)) if a.files else {}
        env_files = []
        for i, e in enumerate(a.envs):
            key = 'heat-cli-env-%d:%s' % (i, os.path.abspath(e))
            files[key] = open(e, encoding='utf-8').read()
            env_files.append(key)
        params = dict(p.split('=', 1) for p in a.params)
    except (OSError, ValueError, SystemExit) as e:
        print('heat-cli: %s' % e, file=sys.stderr)
        return 2
    import oracle
    o = oracle.Oracle()
    tmpl, err = o.parse(text)
    if err:
        print(json.dumps({'ok': False, 'error': err['error'], 'message': err['message']}))
        return 1
    if a.cmd == 'validate':
        v = o.validate(tmpl, files, env_files, params, raw=True)
        if v['ok']:
            print(json.dumps({'ok': True, 'description': v['description'],
                              'parameters': v['parameters']}))
            return 0
    else:
        v = o.resolve(tmpl, files, env_files, params, stack_name=a.stack_name)
        if v['ok']:
            print(json.dumps(v['result']))
            return 0
    print(json.dumps({'ok': False, 'error': v['error'], 'message': v['message']}))
    return 1


if __name__ == '__main__':
    sys.exit(main())
