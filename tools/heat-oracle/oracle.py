#!/usr/bin/python3
"""Heat 19 oracle: computes the goldens of tests/heat_corpus by running Heat's own code.

Developer tool, NOT run in CI. Needs Debian's python3-heat installed on this machine
(`apt-get install -y python3-heat`); runs Heat's engine in-process (sqlite dummy DB, fake
keystone, fake messaging) and asks EngineService.validate_template - the code behind
`POST /validate` / `openstack orchestration template validate` - for a verdict on every
template that tests/heat_corpus/extract.py finds in the Debian packages.

Writes (only verdicts/values we generate, never template text):
  tests/heat_corpus/goldens/validate.json  {key: {sha256, stub, ok, parameters|error,message}}
  tests/heat_corpus/goldens/magnum.json    {case: {...same, raw: no stub env}}
  tests/heat_corpus/goldens/resolve.json   {key: {sha256, stub, result|error,message}}
  tests/heat_corpus/goldens/params.json    {key: {sha256, stub, P, validate, resolve}} (-P given)

Usage: tools/heat-oracle/oracle.py [--cache DIR] [--only SUBSTR] [--jobs N]
"""
import argparse
import copy
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'heat_corpus'))

import corpus_common as cc  # noqa: E402
import extract  # noqa: E402

STUB_FILE = 'heat-corpus-stub-env.yaml'
RESOLVE_STACK_NAME = 'corpus'
# Templates whose resolved values depend on random/unique ids are not in the resolve subset.
RESOLVE_EXCLUDE = re.compile(r'OS::stack_id|OS::project_id|AWS::StackId|AWS::AccountId|'
                             r'RandomString|resource_facade|Fn::ResourceFacade|'
                             r'\.yaml\b|\.template\b|get_file|Fn::GetAZs|AWS::Region')


class Timeout(Exception):
    pass


def _alarm(_sig, _frm):
    raise Timeout('oracle timeout')


def setup_heat():
    warnings.simplefilter('ignore')
    logging.disable(logging.CRITICAL)
    from oslo_config import cfg
    cfg.CONF([], project='heat', default_config_files=[])
    from heat.common import messaging, policy
    messaging.setup('fake://', optional=True)
    from heat.tests import utils
    utils.setup_dummy_db()
    from heat.engine.clients.os.keystone import fake_keystoneclient as fake_ks
    from heat.engine.clients.os import keystone
    keystone.KeystoneClientPlugin._create = lambda self, version=None: fake_ks.FakeKeystoneClient()
    policy.ResourceEnforcer.enforce = lambda *a, **k: None
    # A cloud where every service Heat knows is in the catalog (Magnum's deployment): no
    # "Service neutron is not available" verdicts that depend on this machine.
    from heat.engine import resource
    resource.Resource.is_service_available = classmethod(lambda cls, context: (True, None))
    from heat.engine import service
    return service.EngineService('oracle-host', 'engine'), utils.dummy_context()


def known_types():
    """Types Heat 19 can instantiate: its global registry plus the test-only types its unit
    tests register (heat/tests/common.py register_test_resources)."""
    from heat.engine import resources
    env = resources.global_env()
    names = set()
    for k in env.registry._registry:
        if isinstance(k, str) and '*' not in k:
            names.add(k)
    import heat.tests.common as htc
    src = open(htc.__file__).read()
    names.update(re.findall(r"_register_class\(\s*'([^']+)'", src))
    return names


def type_strings(doc, out):
    """Every string value of a `type`/`Type` key (or registry value) that names a type."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in ('type', 'Type') and isinstance(v, str) and '/' not in v and \
                    not v.endswith(('.yaml', '.template')):
                out.add(v)
            elif k == 'resource_registry' and isinstance(v, dict):
                for rk, rv in v.items():
                    if isinstance(rv, str) and '::' in rv and '/' not in rv and not rv.endswith(
                            ('.yaml', '.template')):
                        out.add(rv)
            type_strings(v, out)
    elif isinstance(doc, list):
        for v in doc:
            type_strings(v, out)
    return out


def registry_keys(doc, out):
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == 'resource_registry' and isinstance(v, dict):
                out.update(x for x in v if isinstance(x, str))
            registry_keys(v, out)
    elif isinstance(doc, list):
        for v in doc:
            registry_keys(v, out)
    return out


def stub_types_for(docs, known, native):
    used, keys = set(), set()
    for d in docs:
        type_strings(d, used)
        registry_keys(d, keys)
    return sorted(t for t in used if t in known and t not in native and t not in keys)


def stub_inputs(stub):
    """(files, environment_files) carrying the stub environment, if any."""
    if not stub:
        return {}, []
    return {STUB_FILE: cc.stub_env(stub)}, [STUB_FILE]


def exc_of(e):
    import oslo_messaging
    if isinstance(e, oslo_messaging.rpc.dispatcher.ExpectedException):
        e = e.exc_info[1]
    return type(e).__name__, str(e)


class Oracle:
    def __init__(self):
        self.svc, self.ctx = setup_heat()
        self.known = known_types()
        self.native = set(l.strip() for l in open(os.path.join(cc.HERE, 'native_types.txt'))
                          if l.strip() and not l.startswith('#'))

    def _env(self, params):
        return {'parameters': dict(params or {}), 'parameter_defaults': {},
                'resource_registry': {}, 'event_sinks': []}

    def _inner_class(self, template, files, env_files, params, message):
        """validate_template returns {'Error': str}; find the class Heat raised."""
        from heat.common import environment_util as env_util
        from heat.engine import environment, template as templatem
        try:
            tmpl = templatem.Template(copy.deepcopy(template), files=files)
            env = self._env(params)
            env_util.merge_environments(env_files, files, env, tmpl.all_param_schemata(files))
            tmpl.env = environment.Environment(env)
            tmpl.validate()
        except Exception as e:  # noqa: BLE001
            cls, msg = exc_of(e)
            if msg == message:
                return cls
        return 'StackValidationFailed'

    def validate(self, template, files=None, env_files=None, params=None, raw=False):
        files = dict(files or {})
        env_files = list(env_files or [])
        signal.alarm(60)
        try:
            r = self.svc.validate_template(self.ctx, copy.deepcopy(template),
                                           self._env(params), files=files,
                                           environment_files=env_files or None)
        except Timeout:
            return {'ok': False, 'error': 'OracleTimeout', 'message': ''}
        except Exception as e:  # noqa: BLE001 - any Heat exception is a verdict
            cls, msg = exc_of(e)
            return {'ok': False, 'error': cls, 'message': msg, 'api': 'raised'}
        finally:
            signal.alarm(0)
        if not isinstance(r, dict):  # webob error object
            return {'ok': False, 'error': type(r).__name__, 'message': str(r)}
        if 'Error' in r:
            cls = self._inner_class(template, files, env_files, params, r['Error'])
            return {'ok': False, 'error': cls, 'message': r['Error'], 'api': 'HTTPBadRequest'}
        if raw:
            return {'ok': True, 'description': r.get('Description'),
                    'parameters': r.get('Parameters')}
        return {'ok': True, 'parameters': cc.summarise_parameters(r.get('Parameters'))}

    def parse(self, text):
        from heat.common import template_format
        try:
            return template_format.parse(text), None
        except Exception as e:  # noqa: BLE001
            cls, msg = exc_of(e)
            return None, {'ok': False, 'error': cls, 'message': msg, 'stage': 'parse'}

    def validate_item(self, text):
        tmpl, err = self.parse(text)
        if err:
            return err, []
        stub = stub_types_for([tmpl], self.known, self.native)
        files, env_files = stub_inputs(stub)
        v = self.validate(tmpl, files, env_files)
        return v, stub

    # -----------------------------------------------------------------------------------------
    def resolve(self, template, files, env_files, params, stack_name=RESOLVE_STACK_NAME):
        """Values as during preview/validation (get_attr null, get_resource = name)."""
        from heat.common import environment_util as env_util
        from heat.engine import environment, function, template as templatem
        from heat.engine import stack as parser
        files = dict(files or {})
        env_files = list(env_files or [])
        signal.alarm(60)
        try:
            tmpl = templatem.Template(copy.deepcopy(template), files=files)
            env = self._env(params)
            env_util.merge_environments(env_files, files, env, tmpl.all_param_schemata(files))
            tmpl.env = environment.Environment(env)
            stk = parser.Stack(self.ctx, stack_name, tmpl)
            stk.validate()
            out = {'parameters': {}, 'conditions': {}, 'resources': {}, 'outputs': {}}
            pseudo = stk.parameters.PSEUDO_PARAMETERS
            for n in stk.parameters:
                if n not in pseudo:
                    out['parameters'][n] = stk.parameters[n]
            conds = stk.t.conditions(stk)
            for n in (tmpl.t.get('conditions') or tmpl.t.get('Conditions') or {}):
                out['conditions'][n] = bool(conds.is_enabled(n))
            defns = stk.t.resource_definitions(stk)
            for n, defn in defns.items():
                # effective dependencies: depends_on naming a disabled resource is ignored
                out['resources'][n] = {
                    'type': defn.resource_type,
                    'properties': function.resolve(defn._properties) or {},
                    'depends_on': sorted(d for d in defn.required_resource_names()
                                         if d in defns),
                }
            raw_outs = tmpl.t.get('outputs') or tmpl.t.get('Outputs') or {}
            for n, o in stk.outputs.items():
                # Heat keeps a disabled output as a definition with no value; the CLI contract
                # omits outputs whose condition is false.
                rd = raw_outs.get(n) or {}
                if ('condition' in rd or 'Condition' in rd) and o._value is None:
                    continue
                out['outputs'][n] = o.get_value()
            json.dumps(out)  # must be JSON-representable
            return {'ok': True, 'result': out}
        except Timeout:
            return {'ok': False, 'error': 'OracleTimeout', 'message': ''}
        except Exception as e:  # noqa: BLE001
            cls, msg = exc_of(e)
            return {'ok': False, 'error': cls, 'message': msg}
        finally:
            signal.alarm(0)


def compute(a, manifest):
    """(validate, resolve, magnum) goldens for one process (one PYTHONHASHSEED)."""
    o = Oracle()
    val, res, mag, par = {}, {}, {}, {}
    items = [it for it in manifest['items'] if it['kind'] == 'template']
    for it in items:
        if a.only and a.only not in it['key']:
            continue
        text = open(it['file'], encoding='utf-8').read()
        v, stub = o.validate_item(text)
        v['sha256'] = it['sha256']
        v['stub'] = stub
        val[it['key']] = v
        # resolve subset: accepted templates without parameters lacking a default and
        # without nondeterministic values (ids, random strings) or external files
        if v['ok'] and not RESOLVE_EXCLUDE.search(text):
            tmpl, _ = o.parse(text)
            if all('Default' in p for p in (v.get('parameters') or {}).values()
                   if isinstance(p, dict)):
                files, env_files = stub_inputs(stub)
                r = o.resolve(tmpl, files, env_files, {})
                r['sha256'] = it['sha256']
                r['stub'] = stub
                res[it['key']] = r
        # params subset: accepted templates with parameters, given explicit -P values
        pv = cc.param_values(v.get('parameters')) if v['ok'] else {}
        if pv:
            tmpl, _ = o.parse(text)
            files, env_files = stub_inputs(stub)
            g = {'sha256': it['sha256'], 'stub': stub, 'P': pv,
                 'validate': o.validate(tmpl, files, env_files, pv)}
            if g['validate']['ok'] and not RESOLVE_EXCLUDE.search(text):
                g['resolve'] = o.resolve(tmpl, files, env_files, pv)
            par[it['key']] = g
    site = manifest['roots']['magnum']
    for key, rel, env_set in cc.magnum_cases():
        if a.only and a.only not in key:
            continue
        template, files, env_files = cc.magnum_inputs(site, rel, env_set)
        raw = o.validate(template, files, env_files)
        docs = [template] + [extract.parse_like_heat(c) for c in files.values()]
        stub = stub_types_for([d for d in docs if isinstance(d, (dict, list))], o.known, o.native)
        sfiles = dict(files)
        sfiles[STUB_FILE] = cc.stub_env(stub)
        stubbed = o.validate(template, sfiles, [STUB_FILE] + env_files)
        stubbed['stub'] = stub
        mag[key] = {'raw': raw, 'stubbed': stubbed}
    return val, res, mag, par


def merge_runs(runs):
    """Heat's messages can depend on Python's string hash seed (set iteration order, e.g.
    "Duplicate names {'a', 'b'}" or which of two unknown types is reported first). Every
    message seen over the runs is kept in `messages`; a verdict or value that differs between
    runs marks the entry `unstable` (run.py does not require agreement there)."""
    def merge_verdict(vs):
        g = dict(vs[0])
        if any(v['ok'] != g['ok'] for v in vs):
            g['unstable'] = True
        elif not g['ok']:
            msgs = sorted(set(v['message'] for v in vs))
            if len(msgs) > 1:
                g['messages'] = msgs
        elif any(cc.canon(v.get('parameters')) != cc.canon(g.get('parameters')) for v in vs):
            g['unstable'] = True
        return g

    val = {k: merge_verdict([r[0][k] for r in runs]) for k in runs[0][0]}
    res = {}
    for k in runs[0][1]:
        vs = [r[1].get(k) for r in runs]
        if any(v is None for v in vs):
            continue
        g = merge_verdict(vs)
        if g['ok'] and any(cc.canon(v.get('result')) != cc.canon(g['result']) for v in vs):
            g['unstable'] = True
        res[k] = g
    mag = {k: {m: merge_verdict([r[2][k][m] for r in runs]) for m in ('raw', 'stubbed')}
           for k in runs[0][2]}
    par = {}
    for k, g0 in runs[0][3].items():
        vs = [r[3].get(k) for r in runs]
        if any(v is None for v in vs):
            continue
        g = dict(g0)
        g['validate'] = merge_verdict([v['validate'] for v in vs])
        if 'resolve' in g0:
            rs = [v.get('resolve') for v in vs]
            if any(r is None for r in rs):
                g.pop('resolve')
            else:
                g['resolve'] = merge_verdict(rs)
                if g['resolve']['ok'] and any(cc.canon(r.get('result')) !=
                                              cc.canon(g['resolve']['result']) for r in rs):
                    g['resolve']['unstable'] = True
        par[k] = g
    return val, res, mag, par


def cloud_dependent(v):
    """A verdict that came from Heat trying to reach a cloud service (custom constraints such
    as neutron.network, keystone.project): depends on this machine, not on the template."""
    m = ' '.join([v.get('message') or ''] + list(v.get('messages') or []))
    return 'Unable to establish connection' in m or 'server.test' in m


def drop_cloud_dependent(par):
    for k in list(par):
        g = par[k]
        if cloud_dependent(g['validate']):
            del par[k]
        elif 'resolve' in g and cloud_dependent(g['resolve']):
            del g['resolve']
    return par


def main():
    ap = argparse.ArgumentParser(description='Heat 19 oracle for tests/heat_corpus')
    ap.add_argument('--cache', default=extract.default_cache())
    ap.add_argument('--only', default=None, help='only keys containing this string')
    ap.add_argument('--seeds', type=int, default=4,
                    help='runs with different PYTHONHASHSEED values to merge')
    ap.add_argument('--child', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        out = compute(a, cc.load_manifest(a.cache))
        with open(a.child, 'w') as f:
            json.dump(out, f)
        return
    extract.extract(a.cache, quiet=True)
    runs = []
    with tempfile.TemporaryDirectory() as td:
        for seed in range(a.seeds):
            out = os.path.join(td, '%d.json' % seed)
            cmd = [sys.executable, os.path.abspath(__file__), '--cache', a.cache, '--child', out]
            if a.only:
                cmd += ['--only', a.only]
            subprocess.run(cmd, check=True, env=dict(os.environ, PYTHONHASHSEED=str(seed)))
            runs.append(json.load(open(out)))
            print('oracle: run %d/%d done' % (seed + 1, a.seeds), file=sys.stderr)
    val, res, mag, par = merge_runs(runs)
    drop_cloud_dependent(par)
    if a.only:
        for name, new in (('validate.json', val), ('resolve.json', res), ('magnum.json', mag),
                          ('params.json', par)):
            old = cc.load_golden(name)
            old.update(new)
            new.clear()
            new.update(old)
    cc.save_golden('validate.json', val)
    cc.save_golden('resolve.json', res)
    cc.save_golden('magnum.json', mag)
    cc.save_golden('params.json', par)
    ok = sum(1 for v in val.values() if v['ok'])
    print('oracle: %d templates (%d accepted, %d rejected; %d with order-dependent messages, '
          '%d unstable), %d resolved, %d magnum cases, %d with -P values'
          % (len(val), ok, len(val) - ok, sum(1 for v in val.values() if 'messages' in v),
             sum(1 for v in val.values() if v.get('unstable')), len(res), len(mag), len(par)))


if __name__ == '__main__':
    main()
