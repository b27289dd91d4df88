#!/usr/bin/python3
"""Heat conformance corpus: runs magnum-heat on every template extracted from Debian's
python3-heat, heat-tempest-plugin and python3-magnum and compares with Heat 19's verdicts
(goldens computed by tools/heat-oracle/oracle.py).

Suites:
  validate  every template: accept/reject must agree; where accepted the parameters map must
            agree; where rejected the message must agree when Heat's own tests pin it
            (exact message rate over all rejections is reported).
  magnum    k8s_fedora_coreos_v1 (+ common) templates with Magnum's environment-file sets,
            shaped as heatclient sends them (files map, file:// URLs): verdict as Heat's.
  resolve   accepted templates from the corpus resolved with defaults: parameters,
            conditions, resource properties/dependencies, outputs as Heat computes them.
  params    accepted templates with parameters, validated and resolved again with -P values
            (one fixed value per parameter type): value conversion, constraints, typed values.

Usage: run.py --magnum-heat PATH [--suite S] [--cache DIR] [--mismatches FILE] [--jobs N]
Exit 0 when every comparison that is required agrees (known differences excepted).
"""
import argparse
import ast
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import corpus_common as cc  # noqa: E402
import extract  # noqa: E402

STUB_NAME = 'heat-corpus-stub-env.yaml'
TIMEOUT = 30
ONLY = None


def load_known_differences():
    """{key: reason} from known_differences.txt (`key<TAB or spaces>reason`, # comments)."""
    out = {}
    p = os.path.join(HERE, 'known_differences.txt')
    if not os.path.exists(p):
        return out
    for line in open(p, encoding='utf-8'):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        parts = line.split(None, 1)
        if len(parts) != 2 or not parts[1].strip():
            raise SystemExit('known_differences.txt: entry without a reason: %r' % line)
        out[parts[0]] = parts[1].strip()
    return out


def pinned_strings(site):
    """String constants used inside assert*() calls of Heat's own tests (len >= 12): a golden
    message containing one of them is 'pinned' by Heat's test suite."""
    pins = set()
    for sub in ('heat/tests', 'heat_integrationtests'):
        for dirpath, _dirs, files in os.walk(os.path.join(site, sub)):
            for fn in files:
                if not fn.endswith('.py'):
                    continue
                try:
                    tree = ast.parse(open(os.path.join(dirpath, fn), encoding='utf-8').read())
                except (SyntaxError, UnicodeDecodeError, ValueError):
                    continue
                for node in ast.walk(tree):
                    if not isinstance(node, ast.Call):
                        continue
                    f = node.func
                    name = f.attr if isinstance(f, ast.Attribute) else getattr(f, 'id', '')
                    if not name.startswith('assert'):
                        continue
                    for sub_node in ast.walk(node):
                        if isinstance(sub_node, ast.Constant) and isinstance(sub_node.value, str):
                            s = sub_node.value.strip()
                            if len(s) >= 12 and '\n' not in s:
                                pins.add(s)
    return pins


def is_pinned(message, pins):
    return any(p in message for p in pins) if message else False


class Runner:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self._stubs = {}

    def stub_file(self, types):
        key = tuple(types)
        if key not in self._stubs:
            p = os.path.join(self.workdir, 'stub-%d.yaml' % len(self._stubs))
            with open(p, 'w') as f:
                f.write(cc.stub_env(types))
            self._stubs[key] = p
        return self._stubs[key]

    def run(self, args):
        """(exit code, parsed JSON or None, stderr tail)."""
        try:
            p = subprocess.run([self.binary] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return 'timeout', None, ''
        try:
            doc = json.loads(p.stdout.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            doc = None
        return p.returncode, doc, p.stderr.decode('utf-8', 'replace')[-300:]


def verdict_of(rc, doc):
    """('ok'|'error'|'broken', error class, message, doc)."""
    if rc == 0 and isinstance(doc, dict) and doc.get('ok') is True:
        return 'ok', None, None
    if rc == 1 and isinstance(doc, dict) and doc.get('ok') is False:
        return 'error', doc.get('error'), doc.get('message')
    return 'broken', 'exit %s%s' % (rc, '' if doc is not None else ', no JSON'), None


def msg_matches(got, g):
    """Our message equals Heat's (any of the variants Heat gives under different hash seeds)."""
    return got == g.get('message') or got in (g.get('messages') or [])


def norm(msg, n=70):
    """Message shape for grouping: quoted/numeric details replaced."""
    if msg is None:
        return ''
    m = re.sub(r'"[^"]*"|\'[^\']*\'|\([^()]*\)', '<x>', msg)
    m = re.sub(r'\b\d+\b', 'N', m)
    m = re.sub(r'^[\w.\[\]<>-]+: ', '', m)  # leading resources.x.y: path
    return m[:n]


class Report:
    def __init__(self):
        self.lines = collections.defaultdict(list)
        self.counts = collections.Counter()

    def add(self, cause, line):
        self.lines[cause].append(line)

    def write(self, fp, title):
        fp.write('## %s\n' % title)
        for cause, lines in sorted(self.lines.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            fp.write('### [%d] %s\n' % (len(lines), cause))
            for ln in lines:
                fp.write(ln + '\n')
        fp.write('\n')


def short(s, n=160):
    s = '' if s is None else str(s)
    s = s.replace('\n', '\\n')
    return s if len(s) <= n else s[:n] + '...'


# ---------------------------------------------------------------------------------------------
def suite_validate(runner, manifest, jobs, known, rep):
    goldens = cc.load_golden('validate.json')
    site = manifest['roots']['heat']
    pins = pinned_strings(site)
    items = [it for it in manifest['items'] if it['kind'] == 'template']
    todo, stale = [], []
    for it in items:
        g = goldens.get(it['key'])
        if g is None or g.get('sha256') != it['sha256']:
            stale.append(it['key'])
            continue
        args = ['validate', it['file']]
        if g.get('stub'):
            args += ['-e', runner.stub_file(g['stub'])]
        todo.append((it, g, args))
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(lambda t: runner.run(t[2]), todo))
    c = collections.Counter()
    for (it, g, _args), (rc, doc, err) in zip(todo, results):
        key = it['key']
        got, gcls, gmsg = verdict_of(rc, doc)
        exp = 'ok' if g['ok'] else 'error'
        excused = key in known or g.get('unstable')
        c['n'] += 1
        if got == 'broken':
            c['broken'] += 1
        if got == exp:
            c['verdict_agree'] += 1
        if got != exp:
            if excused:
                c['excused'] += 1
                continue
            c['verdict_disagree'] += 1
            if got == 'broken':
                cause = 'magnum-heat did not give a verdict (%s)' % gcls
                rep.add(cause, '%s\texpected=%s\tgot=%s %s' % (
                    key, exp, gcls, short(err.strip().splitlines()[-1] if err.strip() else '')))
            elif exp == 'ok':
                cause = 'Heat accepts, magnum-heat rejects: %s: %s' % (gcls, norm(gmsg))
                rep.add(cause, '%s\texpected=ok\tgot=%s: %s' % (key, gcls, short(gmsg)))
            else:
                cause = 'Heat rejects (%s: %s), magnum-heat accepts' % (g['error'],
                                                                       norm(g['message']))
                rep.add(cause, '%s\texpected=%s: %s\tgot=ok' % (key, g['error'],
                                                              short(g['message'])))
            continue
        if exp == 'ok':
            ours = cc.summarise_parameters((doc or {}).get('parameters'))
            if ours == g.get('parameters', {}):
                c['params_agree'] += 1
            elif excused:
                c['excused'] += 1
            else:
                c['params_disagree'] += 1
                gp, op = g.get('parameters', {}), ours
                diffs = []
                for name in sorted(set(gp) | set(op)):
                    if gp.get(name) != op.get(name):
                        a, b = gp.get(name) or {}, op.get(name) or {}
                        if not isinstance(a, dict) or not isinstance(b, dict):
                            diffs.append('%s: present in %s only' % (
                                name, 'heat' if name in gp else 'ours'))
                            continue
                        fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                        diffs.append('%s.{%s}' % (name, ','.join(fields)))
                fields = sorted(set(re.sub(r'^[^.]*\.', '', d) for d in diffs))
                rep.add('parameters map differs in %s' % short(' '.join(fields), 80),
                        '%s\t%s' % (key, short('; '.join(diffs), 300)))
            continue
        # both rejected
        pinned = is_pinned(g['message'], pins)
        c['rejected_both'] += 1
        if pinned:
            c['pinned'] += 1
        if msg_matches(gmsg, g):
            c['msg_agree'] += 1
            if pinned:
                c['pinned_agree'] += 1
        else:
            if excused:
                c['excused'] += 1
            elif pinned:
                c['pinned_disagree'] += 1
            what = 'pinned message' if pinned else 'message (not pinned)'
            rep.add('%s differs: %s: %s' % (what, g['error'], norm(g['message'])),
                    '%s\texpected=%s\tgot=%s' % (key, short(g['message']), short(gmsg)))
        if gcls == g['error']:
            c['class_agree'] += 1
    n = c['n']
    print('validate: %d templates (%d without a current golden), %d accepted / %d rejected by Heat'
          % (n, len(stale), sum(1 for _i, g, _a in todo if g['ok']),
             sum(1 for _i, g, _a in todo if not g['ok'])))
    print('validate: verdict agreement %d/%d (%.1f%%), no verdict (crash/usage) %d, excused %d'
          % (c['verdict_agree'], n, 100.0 * c['verdict_agree'] / max(n, 1), c['broken'],
             c['excused']))
    print('validate: parameters agreement %d/%d accepted-by-both'
          % (c['params_agree'], c['params_agree'] + c['params_disagree']))
    print('validate: message agreement %d/%d rejected-by-both (%.1f%%); pinned %d/%d; '
          'error class %d/%d' % (c['msg_agree'], c['rejected_both'],
                                 100.0 * c['msg_agree'] / max(c['rejected_both'], 1),
                                 c['pinned_agree'], c['pinned'], c['class_agree'],
                                 c['rejected_both']))
    if stale:
        print('validate: WARNING %d templates have no golden for their sha256 (Debian package '
              'changed? rerun tools/heat-oracle): %s' % (len(stale), ', '.join(stale[:5])))
    failed = (c['verdict_disagree'] + c['params_disagree'] + c['pinned_disagree'] > 0
              or len(stale) > len(items) // 20 or n == 0)
    return not failed


# ---------------------------------------------------------------------------------------------
def magnum_args(runner, site, key, rel, env_set, stub):
    """Write what Magnum sends (template JSON, files map, env files) and build the CLI args."""
    template, files, env_files = cc.magnum_inputs(site, rel, env_set)
    d = os.path.join(runner.workdir, 'magnum', re.sub(r'[^A-Za-z0-9_.-]', '_', key))
    os.makedirs(d, exist_ok=True)
    tp = os.path.join(d, 'template.json')
    with open(tp, 'w') as f:
        json.dump(template, f)
    fp = os.path.join(d, 'files.json')
    with open(fp, 'w') as f:
        json.dump(files, f)
    args = ['validate', tp, '--files', fp]
    if stub is not None:
        args += ['-e', runner.stub_file(stub)]
    for i, url in enumerate(env_files):
        ep = os.path.join(d, 'env%d-%s' % (i, os.path.basename(url)))
        with open(ep, 'w') as f:
            f.write(files[url])
        args += ['-e', ep]
    return args


def suite_magnum(runner, manifest, jobs, known, rep):
    goldens = cc.load_golden('magnum.json')
    site = manifest['roots']['magnum']
    todo = []
    for key, rel, env_set in cc.magnum_cases():
        if ONLY and ONLY not in key:
            continue
        g = goldens.get(key)
        if g is None:
            print('magnum: no golden for %s' % key)
            continue
        todo.append((key, 'raw', g['raw'], magnum_args(runner, site, key, rel, env_set, None)))
        st = g['stubbed']
        todo.append((key, 'stubbed', st,
                     magnum_args(runner, site, key + '+stub', rel, env_set, st.get('stub') or [])))
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(lambda t: runner.run(t[3]), todo))
    c = collections.Counter()
    for (key, mode, g, _args), (rc, doc, err) in zip(todo, results):
        got, gcls, gmsg = verdict_of(rc, doc)
        exp = 'ok' if g['ok'] else 'error'
        c[mode + '_n'] += 1
        k = '%s[%s]' % (key, mode)
        if got == exp and (exp == 'ok' or msg_matches(gmsg, g)):
            if exp == 'ok':
                ours = cc.summarise_parameters((doc or {}).get('parameters'))
                if ours != g.get('parameters'):
                    c[mode + '_params_disagree'] += 1
                    rep.add('magnum: parameters map differs', '%s' % k)
            c[mode + '_agree'] += 1
            continue
        if k in known:
            c['excused'] += 1
            continue
        c[mode + '_disagree'] += 1
        expected = 'ok' if g['ok'] else '%s: %s' % (g['error'], short(g['message']))
        gotten = 'ok' if got == 'ok' else '%s: %s' % (gcls, short(gmsg if gmsg else err))
        rep.add('magnum %s: expected %s' % (mode, 'OK' if g['ok'] else 'rejection'),
                '%s\texpected=%s\tgot=%s' % (k, expected, gotten))
    for mode in ('raw', 'stubbed'):
        print('magnum: %s (%s): %d/%d agree with Heat' % (
            mode, 'unmodified, as Magnum sends them' if mode == 'raw'
            else 'cloud types stubbed to OS::Heat::None', c[mode + '_agree'], c[mode + '_n']))
    return c['raw_disagree'] + c['stubbed_disagree'] + c['raw_params_disagree'] == 0 and \
        c['raw_n'] > 0


# ---------------------------------------------------------------------------------------------
def resolve_diffs(exp, doc):
    """[(where, expected, got)] between Heat's resolve result and ours."""
    diffs = []
    for sect in ('parameters', 'conditions', 'outputs'):
        for name in sorted(set(exp[sect]) | set(doc.get(sect) or {})):
            a = exp[sect].get(name, '<absent>')
            b = (doc.get(sect) or {}).get(name, '<absent>')
            if cc.canon(a) != cc.canon(b):
                diffs.append(('%s.%s' % (sect, name), a, b))
    ours_r = doc.get('resources') or {}
    for name in sorted(set(exp['resources']) | set(ours_r)):
        a = exp['resources'].get(name)
        b = ours_r.get(name)
        if a is None or b is None:
            diffs.append(('resources.%s' % name, a is not None, b is not None))
            continue
        for f in ('properties', 'depends_on'):
            if cc.canon(a[f]) != cc.canon(b.get(f)):
                diffs.append(('resources.%s.%s' % (name, f), a[f], b.get(f)))
    return diffs


def suite_params(runner, manifest, jobs, known, rep):
    """Accepted templates validated and resolved again with -P values (cc.PARAM_VALUES)."""
    goldens = cc.load_golden('params.json')
    by_key = {it['key']: it for it in manifest['items']}
    todo = []
    for key, g in sorted(goldens.items()):
        it = by_key.get(key)
        if it is None or it['sha256'] != g['sha256']:
            continue
        extra = []
        if g.get('stub'):
            extra += ['-e', runner.stub_file(g['stub'])]
        for name, val in sorted(g['P'].items()):
            extra += ['-P', '%s=%s' % (name, val)]
        todo.append((key, 'validate', g['validate'], ['validate', it['file']] + extra))
        if 'resolve' in g:
            todo.append((key, 'resolve', g['resolve'],
                         ['resolve', it['file'], '--stack-name', 'corpus'] + extra))
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(lambda t: runner.run(t[3]), todo))
    c = collections.Counter()
    for (key, mode, g, _args), (rc, doc, err) in zip(todo, results):
        c[mode + '_n'] += 1
        if g.get('unstable') or key in known:
            c['excused'] += 1
            continue
        if mode == 'resolve' and g['ok'] and rc == 0 and isinstance(doc, dict) \
                and 'ok' not in doc:
            diffs = resolve_diffs(g['result'], doc)
            if not diffs:
                c['resolve_agree'] += 1
                continue
            c['resolve_disagree'] += 1
            where, a, b = diffs[0]
            rep.add('params resolve: values differ in %s' % where.split('.')[0],
                    '%s\t%s\texpected=%s\tgot=%s%s' % (
                        key, where, short(cc.canon(a), 120), short(cc.canon(b), 120),
                        ' (+%d more)' % (len(diffs) - 1) if len(diffs) > 1 else ''))
            continue
        got, gcls, gmsg = verdict_of(rc, doc) if mode == 'validate' or rc != 0 else \
            ('ok', None, None)
        exp = 'ok' if g['ok'] else 'error'
        if got == exp and (exp == 'ok' or msg_matches(gmsg, g)):
            if mode == 'validate' and exp == 'ok':
                ours = cc.summarise_parameters((doc or {}).get('parameters'))
                if ours != g.get('parameters'):
                    c['validate_disagree'] += 1
                    rep.add('params validate: parameters map differs (Value field?)', key)
                    continue
            c[mode + '_agree'] += 1
            continue
        c[mode + '_disagree'] += 1
        if got == exp:
            cause = 'params %s: message differs: %s: %s' % (mode, g['error'], norm(g['message']))
        elif exp == 'ok':
            cause = 'params %s: Heat accepts, magnum-heat rejects: %s' % (mode, norm(gmsg or gcls))
        else:
            cause = 'params %s: Heat rejects (%s: %s), magnum-heat %s' % (
                mode, g['error'], norm(g['message']), got)
        rep.add(cause, '%s\tP=%s\texpected=%s\tgot=%s' % (
            key, short(','.join(sorted(goldens[key]['P'])), 60),
            'ok' if g['ok'] else short(g['message']),
            'ok' if got == 'ok' else short(gmsg or gcls)))
    for mode in ('validate', 'resolve'):
        print('params: %s with -P values: %d/%d agree' % (mode, c[mode + '_agree'],
                                                          c[mode + '_n']))
    print('params: excused (hash-seed dependent in Heat or known differences) %d' % c['excused'])
    return c['validate_disagree'] + c['resolve_disagree'] == 0 and c['validate_n'] > 0


def suite_resolve(runner, manifest, jobs, known, rep):
    goldens = cc.load_golden('resolve.json')
    by_key = {it['key']: it for it in manifest['items']}
    todo = []
    for key, g in sorted(goldens.items()):
        it = by_key.get(key)
        if it is None or it['sha256'] != g['sha256']:
            continue
        args = ['resolve', it['file'], '--stack-name', 'corpus']
        if g.get('stub'):
            args += ['-e', runner.stub_file(g['stub'])]
        todo.append((key, g, args))
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(lambda t: runner.run(t[2]), todo))
    c = collections.Counter()
    for (key, g, _args), (rc, doc, err) in zip(todo, results):
        c['n'] += 1
        if g.get('unstable'):
            c['excused'] += 1
            continue
        if g['ok']:
            if rc == 0 and isinstance(doc, dict):
                diffs = resolve_diffs(g['result'], doc)
                if not diffs:
                    c['agree'] += 1
                    continue
                if key in known:
                    c['excused'] += 1
                    continue
                c['disagree'] += 1
                where, a, b = diffs[0]
                sect = where.split('.')[0] + ('.' + where.split('.')[-1]
                                              if where.startswith('resources') else '')
                rep.add('resolve: values differ in %s' % sect,
                        '%s\t%s\texpected=%s\tgot=%s%s' % (
                            key, where, short(cc.canon(a), 120), short(cc.canon(b), 120),
                            ' (+%d more)' % (len(diffs) - 1) if len(diffs) > 1 else ''))
                continue
            got, gcls, gmsg = verdict_of(rc, doc)
            if key in known:
                c['excused'] += 1
                continue
            c['disagree'] += 1
            rep.add('resolve: Heat resolves, magnum-heat fails: %s' % short(gcls, 60),
                    '%s\texpected=ok\tgot=%s: %s' % (key, gcls, short(gmsg or err)))
        else:
            got, gcls, gmsg = verdict_of(rc, doc)
            if got == 'error' and msg_matches(gmsg, g):
                c['agree'] += 1
            elif key in known:
                c['excused'] += 1
            else:
                c['disagree'] += 1
                rep.add('resolve: Heat fails with %s' % g['error'],
                        '%s\texpected=%s: %s\tgot=%s: %s' % (
                            key, g['error'], short(g['message']), got, short(gmsg or gcls)))
    print('resolve: %d templates resolved with defaults, %d agree (%.1f%%), excused %d'
          % (c['n'], c['agree'], 100.0 * c['agree'] / max(c['n'], 1), c['excused']))
    return c['disagree'] == 0 and c['n'] > 0


SUITES = {'validate': suite_validate, 'magnum': suite_magnum, 'resolve': suite_resolve,
          'params': suite_params}


def main():
    ap = argparse.ArgumentParser(description='Heat conformance corpus')
    ap.add_argument('--magnum-heat', default=None)
    ap.add_argument('--suite', default='all', choices=['all'] + sorted(SUITES))
    ap.add_argument('--cache', default=extract.default_cache())
    ap.add_argument('--mismatches', default=None,
                    help='write grouped mismatch list here (default: $HEAT_CORPUS_MISMATCHES'
                         '.<suite> when that is set)')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--only', default=None, help='only keys containing this string')
    ap.add_argument('--no-extract', action='store_true',
                    help='use the manifest already in the cache (ctest fixture extracted it)')
    a = ap.parse_args()
    if a.mismatches is None and os.environ.get('HEAT_CORPUS_MISMATCHES'):
        a.mismatches = '%s.%s' % (os.environ['HEAT_CORPUS_MISMATCHES'], a.suite)
    binary = a.magnum_heat
    if binary is None and os.environ.get('MC_BUILD_DIR'):
        binary = os.path.join(os.environ['MC_BUILD_DIR'], 'heat', 'magnum-heat')
    if not binary or not os.access(binary, os.X_OK):
        print('run.py: magnum-heat binary not found (%s)' % binary)
        return 1
    t0 = time.time()
    manifest = cc.load_manifest(a.cache) if a.no_extract else extract.extract(a.cache, quiet=True)
    print('corpus: %d templates, %d environments from %s' % (
        sum(1 for i in manifest['items'] if i['kind'] == 'template'),
        sum(1 for i in manifest['items'] if i['kind'] == 'env'),
        ', '.join(sorted(set(i['deb'] for i in manifest['items'])))))
    if a.only:
        manifest['items'] = [i for i in manifest['items'] if a.only in i['key']]
        global ONLY
        ONLY = a.only
    known = load_known_differences()
    ok = True
    suites = sorted(SUITES) if a.suite == 'all' else [a.suite]
    reports = []
    with tempfile.TemporaryDirectory(prefix='heat-corpus-') as wd:
        runner = Runner(os.path.abspath(binary), wd)
        for s in suites:
            rep = Report()
            res = SUITES[s](runner, manifest, a.jobs, known, rep)
            print('%s: %s' % (s, 'PASS' if res else 'FAIL'))
            ok = ok and res
            reports.append((s, rep))
    if a.mismatches:
        with open(a.mismatches + '.tmp', 'w') as fp:
            fp.write('# heat corpus mismatches, %s, magnum-heat %s\n'
                     '# one line per template: key <TAB> expected (Heat 19) <TAB> got '
                     '(magnum-heat); grouped by cause, biggest group first\n\n'
                     % (time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()), binary))
            for s, rep in reports:
                rep.write(fp, s)
        os.replace(a.mismatches + '.tmp', a.mismatches)
    print('heat corpus: %s in %.1fs' % ('PASS' if ok else 'FAIL', time.time() - t0))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
