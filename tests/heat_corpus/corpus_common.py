"""Shared by tests/heat_corpus/run.py and tools/heat-oracle/oracle.py (Debian /usr/bin/python3).

What both sides must agree on: how a corpus item becomes an input (stub environment,
Magnum cases shaped like heatclient sends them) and how a validate result is summarised
for the goldens (parameters digested so no template text is stored).
"""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDENS = os.path.join(HERE, 'goldens')
STUB_TARGET = 'OS::Heat::None'

# Parameter fields of the validate API whose values come straight from template text: stored
# as digests only. Others (types, flags, numeric bounds) are stored as is.
DIGEST_FIELDS = ('Description', 'Default', 'AllowedValues', 'AllowedPattern',
                 'ConstraintDescription', 'Value', 'Tags', 'Label')


def canon(v):
    return json.dumps(v, sort_keys=True, separators=(',', ':'), ensure_ascii=False)


def digest(v):
    return 'sha256:' + hashlib.sha256(canon(v).encode('utf-8')).hexdigest()[:16]


def summarise_parameters(params):
    """{name: {field: value-or-digest}} for a validate 'parameters' map."""
    out = {}
    for name, p in sorted((params or {}).items()):
        if not isinstance(p, dict):
            out[name] = digest(p)
            continue
        out[name] = {k: (digest(v) if k in DIGEST_FIELDS else v) for k, v in sorted(p.items())}
    return out


# Values given with -P for the `params` suite, by parameter type (validate API Type field):
# strings as a user types them, so both engines do the type conversion themselves.
PARAM_VALUES = {
    'String': 'corpus-value',
    'Number': '42',
    'Boolean': 'on',
    'CommaDelimitedList': 'a,b,c',
    'Json': '{"a": [1, 2], "b": "c"}',
}


def param_values(summary):
    """{name: value} for every parameter of a validate summary whose type has a value."""
    out = {}
    for name, p in sorted((summary or {}).items()):
        if isinstance(p, dict) and p.get('Type') in PARAM_VALUES:
            out[name] = PARAM_VALUES[p['Type']]
    return out


def stub_env(types):
    """Environment mapping each listed type to OS::Heat::None (JSON text, valid YAML)."""
    return json.dumps({'resource_registry': {t: STUB_TARGET for t in sorted(types)}},
                      indent=1, sort_keys=True)


# ---------------------------------------------------------------------------------------------
# Magnum k8s_fedora_coreos_v1: the environment-file lists Magnum 15 builds
# (magnum/drivers/heat/template_def.py add_*_env_file order: priv-net, etcd volume, volume,
# lb, fip, lb-fip), relative to the driver's templates/ directory.
ENV = '../../common/templates/environments/'
MAGNUM_ENV_SETS = {
    # devstack default: private network, no volumes, Octavia LB, floating IPs
    'default': ['with_private_network', 'no_etcd_volume', 'no_volume', 'with_master_lb_octavia',
                'enable_floating_ip', 'enable_lb_floating_ip'],
    # master_lb_enabled=false, floating_ip_enabled=false
    'minimal': ['with_private_network', 'no_etcd_volume', 'no_volume', 'no_master_lb',
                'disable_floating_ip', 'disable_lb_floating_ip'],
    # existing network, etcd + docker volumes, Neutron LBaaS, no floating IPs
    'full': ['no_private_network', 'with_etcd_volume', 'with_volume', 'with_master_lb',
             'disable_floating_ip', 'disable_lb_floating_ip'],
}
MAGNUM_TEMPLATES = [
    'magnum/drivers/k8s_fedora_coreos_v1/templates/kubecluster.yaml',
    'magnum/drivers/k8s_fedora_coreos_v1/templates/kubemaster.yaml',
    'magnum/drivers/k8s_fedora_coreos_v1/templates/kubeminion.yaml',
    'magnum/drivers/common/templates/network.yaml',
    'magnum/drivers/common/templates/lb_api.yaml',
    'magnum/drivers/common/templates/lb_etcd.yaml',
]
# The env files are relative to the cluster template's directory, as in Magnum.
MAGNUM_ENV_BASE = 'magnum/drivers/k8s_fedora_coreos_v1/templates'


def magnum_cases():
    """[(case key, template rel path, env set name)]: every template with every env set."""
    cases = []
    for t in MAGNUM_TEMPLATES:
        for s in sorted(MAGNUM_ENV_SETS):
            cases.append(('magnum-case/%s@%s' % (t, s), t, s))
    return cases


def magnum_inputs(site, rel, env_set):
    """What Magnum hands to Heat: (template dict, files map, environment_files list).

    Uses heatclient's template_utils exactly like magnum/drivers/heat/driver.py: template
    contents with get_file/type URLs rewritten to file:// URLs, files map, env files
    processed (registry paths made absolute) and stored in files as JSON under their URL.
    """
    from heatclient.common import template_utils
    path = os.path.join(site, rel)
    tpl_files, template = template_utils.get_template_contents(path)
    base = os.path.join(site, MAGNUM_ENV_BASE)
    env_paths = [os.path.normpath(os.path.join(base, ENV + e + '.yaml'))
                 for e in MAGNUM_ENV_SETS[env_set]]
    env_list = []
    env_map, _merged = template_utils.process_multiple_environments_and_files(
        env_paths=env_paths, env_list_tracker=env_list)
    tpl_files.update(env_map)
    # heatclient serialises the request with oslo jsonutils, which sends bytes as UTF-8 text
    files = {k: (v.decode('utf-8') if isinstance(v, bytes) else v) for k, v in tpl_files.items()}
    return template, files, env_list


def load_manifest(cache):
    with open(os.path.join(cache, 'corpus', 'manifest.json')) as f:
        return json.load(f)


def load_golden(name):
    p = os.path.join(GOLDENS, name)
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        return json.load(f)


def save_golden(name, data):
    os.makedirs(GOLDENS, exist_ok=True)
    p = os.path.join(GOLDENS, name)
    with open(p + '.tmp', 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write('\n')
    os.replace(p + '.tmp', p)
