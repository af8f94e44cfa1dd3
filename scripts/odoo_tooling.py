"""Finding and driving a local Odoo 19 for the project's scripts (no Odoo import here).

Odoo is found through ``ODOO_BIN`` (path to odoo-bin) or else an importable ``odoo``
package of version 19 (run as ``python -m odoo``). PostgreSQL is reached through
the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD); by default
127.0.0.1:5432 as the current user.
"""
import getpass
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDON = 'elmer_autofaktura'
# Odoo runs from an empty folder of its own: `python -m odoo` puts the current folder first
# on sys.path, where a stray odoo.py (in /tmp, say) would shadow the real package.
WORK_DIR = tempfile.mkdtemp(prefix='autofaktura-odoo-')


def find_odoo():
    """The command that starts Odoo 19 (a list), or None when there is none."""
    odoo_bin = os.environ.get('ODOO_BIN')
    if odoo_bin:
        if not Path(odoo_bin).is_file():
            sys.exit(f"ODOO_BIN={odoo_bin} does not exist.")
        return [sys.executable, odoo_bin]
    probe = subprocess.run(
        [sys.executable, '-c', 'import odoo.release as r; print(r.version_info[0])'],
        capture_output=True, text=True, cwd=WORK_DIR, check=False)
    if probe.returncode == 0 and probe.stdout.strip() == '19':
        return [sys.executable, '-m', 'odoo']
    if probe.returncode and "No module named 'odoo'" not in probe.stderr:
        print("An `odoo` package is importable but failed to load:\n" + probe.stderr[-2000:], file=sys.stderr)
    elif probe.returncode == 0:
        print(f"The importable `odoo` package is version {probe.stdout.strip()}, not 19.", file=sys.stderr)
    return None


def db_options():
    """odoo-bin options for the PostgreSQL connection."""
    options = [
        '--db_host', os.environ.get('PGHOST', '127.0.0.1'),
        '--db_port', os.environ.get('PGPORT', '5432'),
        '--db_user', os.environ.get('PGUSER', getpass.getuser()),
    ]
    if os.environ.get('PGPASSWORD'):
        options += ['--db_password', os.environ['PGPASSWORD']]
    return options


def addons_path():
    """The project root (holding the addon), plus ODOO_ADDONS_PATH if set.

    Odoo adds its own addons folders by itself."""
    paths = [str(ROOT)]
    if os.environ.get('ODOO_ADDONS_PATH'):
        paths.append(os.environ['ODOO_ADDONS_PATH'])
    return ','.join(paths)


def data_dir():
    """Odoo's data directory (filestore, sessions) for the databases the tooling makes."""
    return str(Path(tempfile.gettempdir()) / 'elmer-autofaktura-data')


def server_options(database, log_file=None):
    options = [
        '-d', database, *db_options(), f'--addons-path={addons_path()}',
        '--http-interface=127.0.0.1', '--http-port', os.environ.get('ODOO_HTTP_PORT', '8069'),
        '--data-dir', data_dir(),
    ]
    if log_file:
        options += ['--logfile', str(log_file)]
    return options


def psql_env():
    env = dict(os.environ)
    env.setdefault('PGHOST', '127.0.0.1')
    env.setdefault('PGPORT', '5432')
    return env


def drop_database(database):
    subprocess.run(['dropdb', '--if-exists', database], env=psql_env(), check=False,
                   capture_output=True)


def unique_db_name(prefix):
    return f"{prefix}_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"


def run_odoo(odoo, args, log_file):
    """Run Odoo with ``args``; its log goes to ``log_file``. Returns the exit code."""
    with open(log_file, 'a', encoding='utf-8') as log:
        return subprocess.run([*odoo, *args], stdout=log, stderr=subprocess.STDOUT,
                              cwd=WORK_DIR, check=False).returncode


LOG_LINE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): ')


def addon_problems(log_file):
    """WARNING and worse log lines that come from this addon (or name it)."""
    problems = []
    for line in Path(log_file).read_text(encoding='utf-8', errors='replace').splitlines():
        match = LOG_LINE.match(line)
        if not match or match['level'] not in ('WARNING', 'ERROR', 'CRITICAL'):
            continue
        # a test's own FAIL/ERROR lines are counted as test results, not as install problems
        if ADDON in line and '.tests.' not in match['logger']:
            problems.append(line)
    return problems
