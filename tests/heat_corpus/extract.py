#!/usr/bin/python3
"""Extract the Heat conformance corpus from Debian packages at test time.

Downloads (apt-get download) python3-heat, heat-tempest-plugin and python3-magnum into
CACHE/debs (reused when present), unpacks them with dpkg -x into CACHE/x/<package>, and finds
every Heat template and environment:

  * template files (.yaml/.yml/.template/.json) whose top level is a mapping carrying a
    template version key, and environment files (mapping made only of environment sections);
  * templates inline in the packages' Python test files: string constants (parsed the way
    Heat does: JSON first, then YAML) and dict literals (ast.literal_eval) whose top level
    carries a version key; environments likewise.

Each item gets a stable key `corpus/path#index` (corpus = heat | tempest | magnum, path relative
to dist-packages, index = position among the items found in that file, in source order) and the
sha256 of its text. The text is written to CACHE/corpus/<n>.<ext> and everything is listed in
CACHE/corpus/manifest.json. Nothing extracted here is ever committed.

Usage: extract.py [--cache DIR] [--quiet]
"""
import argparse
import ast
import hashlib
import json
import os
import subprocess
import sys

import yaml

PACKAGES = {
    'python3-heat': 'heat',
    'heat-tempest-plugin': 'tempest',
    'python3-magnum': 'magnum',
}
# Only these subtrees hold templates (the rest of the packages is application code).
SEARCH_ROOTS = {
    'heat': ['heat/tests', 'heat_integrationtests'],
    'tempest': ['heat_tempest_plugin/tests'],
    'magnum': ['magnum/drivers'],
}
VERSION_KEYS = ('heat_template_version', 'AWSTemplateFormatVersion', 'HeatTemplateFormatVersion')
ENV_SECTIONS = {'parameters', 'parameter_defaults', 'resource_registry', 'event_sinks',
                'parameter_merge_strategies', 'encrypted_param_names'}
ENV_MARKERS = {'resource_registry', 'parameter_defaults', 'event_sinks',
               'parameter_merge_strategies'}
SITE = 'usr/lib/python3/dist-packages'


class _Loader(yaml.SafeLoader):
    """YAML 1.1 like Heat's loader: timestamps stay strings."""


_Loader.add_constructor('tag:yaml.org,2002:timestamp', _Loader.construct_yaml_str)


def parse_like_heat(text):
    """JSON first, then YAML (as heat.common.template_format.parse); None when unparsable."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.load(text, Loader=_Loader)
    except Exception:  # noqa: BLE001 - any YAML problem means "not a template"
        return None


def classify(doc):
    """'template', 'env' or None for a parsed document."""
    if not isinstance(doc, dict) or not doc:
        return None
    keys = set(k for k in doc if isinstance(k, str))
    if any(isinstance(doc.get(k), str) for k in VERSION_KEYS):
        return 'template'
    if keys and keys <= ENV_SECTIONS and keys & ENV_MARKERS and len(keys) == len(doc):
        return 'env'
    return None


def fetch(cache, quiet):
    debs = os.path.join(cache, 'debs')
    os.makedirs(debs, exist_ok=True)
    have = os.listdir(debs)
    missing = [p for p in PACKAGES if not any(f.startswith(p + '_') and f.endswith('.deb')
                                              for f in have)]
    if missing:
        if not quiet:
            print('extract: apt-get download %s' % ' '.join(missing), file=sys.stderr)
        subprocess.run(['apt-get', '-q', '-o', 'APT::Sandbox::User=root', 'download'] + missing, cwd=debs, check=True,
                       stdout=subprocess.DEVNULL)
    roots = {}
    for p in PACKAGES:
        deb = sorted(f for f in os.listdir(debs) if f.startswith(p + '_') and f.endswith('.deb'))
        if not deb:
            raise SystemExit('extract: %s.deb missing after download' % p)
        out = os.path.join(cache, 'x', p)
        stamp = os.path.join(cache, 'x', p + '.unpacked')
        if not os.path.exists(stamp) or open(stamp).read() != deb[-1]:
            subprocess.run(['rm', '-rf', out], check=True)
            os.makedirs(out)
            subprocess.run(['dpkg', '-x', os.path.join(debs, deb[-1]), out], check=True)
            with open(stamp, 'w') as f:
                f.write(deb[-1])
        roots[PACKAGES[p]] = (os.path.join(out, SITE), deb[-1])
    return roots


def _outermost_dicts(tree):
    """Dict literal nodes whose keys include a constant version key / env marker,
    skipping dicts nested inside an already selected dict."""
    found = []

    def visit(node, inside):
        sel = False
        if isinstance(node, ast.Dict) and not inside:
            keys = [k.value for k in node.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if any(k in VERSION_KEYS for k in keys) or (keys and set(keys) & ENV_MARKERS):
                found.append(node)
                sel = True
        for child in ast.iter_child_nodes(node):
            visit(child, inside or sel)

    visit(tree, False)
    return found


def items_from_py(path):
    """(lineno, col, text, kind, origin) for templates/envs inline in a Python file."""
    try:
        src = open(path, encoding='utf-8').read()
        tree = ast.parse(src)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            s = node.value
            if not any(k in s for k in VERSION_KEYS + tuple(ENV_MARKERS)):
                continue
            kind = classify(parse_like_heat(s))
            if kind:
                out.append((node.lineno, node.col_offset, s, kind, 'str'))
    for node in _outermost_dicts(tree):
        try:
            val = ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        kind = classify(val)
        if not kind:
            continue
        try:
            text = json.dumps(val, indent=2)
        except (TypeError, ValueError):
            continue
        out.append((node.lineno, node.col_offset, text, kind, 'dict'))
    out.sort(key=lambda t: (t[0], t[1]))
    return out


def items_from_file(path):
    try:
        text = open(path, encoding='utf-8').read()
    except (UnicodeDecodeError, OSError):
        return []
    kind = classify(parse_like_heat(text))
    return [(0, 0, text, kind, 'file')] if kind else []


def extract(cache, quiet=False):
    roots = fetch(cache, quiet)
    outdir = os.path.join(cache, 'corpus')
    os.makedirs(outdir, exist_ok=True)
    items = []
    for corpus in ('heat', 'tempest', 'magnum'):
        site, deb = roots[corpus]
        for sub in SEARCH_ROOTS[corpus]:
            base = os.path.join(site, sub)
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames.sort()
                for fn in sorted(filenames):
                    full = os.path.join(dirpath, fn)
                    rel = os.path.relpath(full, site)
                    if fn.endswith('.py'):
                        found = items_from_py(full)
                    elif fn.endswith(('.yaml', '.yml', '.template', '.json')):
                        if '/gabbits/' in rel or '/policy/' in rel:
                            continue  # API test scripts / policy files, not templates
                        found = items_from_file(full)
                    else:
                        continue
                    for idx, (line, _col, text, kind, origin) in enumerate(found):
                        items.append({
                            'key': '%s/%s#%d' % (corpus, rel, idx),
                            'corpus': corpus, 'deb': deb, 'path': rel, 'line': line,
                            'origin': origin, 'kind': kind,
                            'sha256': hashlib.sha256(text.encode('utf-8')).hexdigest(),
                            'text': text,
                            'source': full if origin == 'file' else None,
                        })
    for n, it in enumerate(items):
        ext = '.json' if it['text'].lstrip().startswith('{') else '.yaml'
        fname = os.path.join(outdir, '%05d%s' % (n, ext))
        data = it.pop('text').encode('utf-8')
        if not os.path.exists(fname) or open(fname, 'rb').read() != data:
            with open(fname, 'wb') as f:
                f.write(data)
        it['file'] = fname
    manifest = {'roots': {c: r[0] for c, r in roots.items()}, 'items': items}
    tmp = os.path.join(outdir, 'manifest.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, os.path.join(outdir, 'manifest.json'))
    return manifest


def default_cache():
    if os.environ.get('HEAT_CORPUS_CACHE'):
        return os.environ['HEAT_CORPUS_CACHE']
    if os.environ.get('MC_BUILD_DIR'):
        return os.path.join(os.environ['MC_BUILD_DIR'], 'heat_corpus_cache')
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    state = os.environ.get('MC_STATE_DIR', os.path.join(repo, '.state'))
    return os.path.join(state, 'heat_corpus_cache')


def summary(manifest):
    counts = {}
    for it in manifest['items']:
        k = (it['corpus'], it['origin'], it['kind'])
        counts[k] = counts.get(k, 0) + 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cache', default=default_cache())
    ap.add_argument('--quiet', action='store_true')
    a = ap.parse_args()
    m = extract(a.cache, a.quiet)
    if not a.quiet:
        for k, v in sorted(summary(m).items()):
            print('%-8s %-5s %-9s %5d' % (k + (v,)))
        print('total %d items -> %s' % (len(m['items']),
                                          os.path.join(a.cache, 'corpus', 'manifest.json')))


if __name__ == '__main__':
    main()
