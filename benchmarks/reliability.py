#!/usr/bin/env python3
"""Reliability of the invoicing run, with real Odoo processes against PostgreSQL.

1. Two Odoo processes run the invoicing at the same moment on N due agreements:
   exactly N invoices, none twice.
2. A run killed with SIGKILL halfway, then run again: exactly one invoice per due
   period, no gaps.

Usage: benchmarks/reliability.py [--agreements 1000] [--keep-db]
Needs an Odoo 19 (ODOO_BIN or an importable odoo) and PostgreSQL, like scripts/run-tests.
"""
import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'scripts'))
import odoo_tooling as ot  # noqa: E402

SETUP = """
from dateutil.relativedelta import relativedelta
from odoo import Command, fields
start = fields.Date.context_today(env.user) - relativedelta(months={months_behind})
partner_vals = []
for i in range({count}):
    partner_vals.append({{'name': 'Reliability {tag} %s' % i}})
partners = env['res.partner'].create(partner_vals)
subscription_vals = []
for partner in partners:
    subscription_vals.append({{
        'partner_id': partner.id,
        'date_start': start,
        'delivery_method': 'letter',
        'line_ids': [Command.create({{'name': 'Service', 'price_unit': 100.0, 'tax_ids': [Command.clear()]}})],
    }})
subscriptions = env['autofaktura.subscription'].create(subscription_vals)
subscriptions.action_activate()
env.cr.commit()
print('IDS', ','.join(str(i) for i in subscriptions.ids))
"""

RUN = """
cron = env.ref('elmer_autofaktura.ir_cron_autofaktura_generate_invoices')
result = env['autofaktura.subscription'].with_context(cron_id=cron.id)._cron_generate_invoices(batch_size=25)
env.cr.commit()
print('RESULT', result)
"""

CHECK = """
from odoo.tools import SQL
ids = [{ids}]
rows = env.execute_query(SQL(
    "SELECT autofaktura_subscription_id, autofaktura_period_start, count(*) FROM account_move "
    "WHERE autofaktura_subscription_id IN %s AND state != 'cancel' GROUP BY 1, 2", tuple(ids)))
doubles = 0
per_subscription = {{}}
for subscription_id, start, count in rows:
    doubles += count > 1
    per_subscription[subscription_id] = per_subscription.get(subscription_id, 0) + 1
incomplete = 0
for i in ids:
    incomplete += per_subscription.get(i, 0) != {periods}
print('CHECK', len(rows), doubles, incomplete)
"""


def shell(odoo, database, script, log_file, wait=True):
    process = subprocess.Popen(
        [*odoo, 'shell', *ot.server_options(database, log_file), '--no-http'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ot.WORK_DIR)
    process.stdin.write(script)
    process.stdin.close()
    if wait:
        return process.stdout.read(), process.wait()
    return process


def marker(output, tag):
    return next((line.split(' ', 1)[1] for line in output.splitlines() if line.startswith(tag + ' ')), '')


def setup(odoo, database, log_file, count, tag, months_behind=0):
    output, _code = shell(odoo, database, SETUP.format(count=count, tag=tag, months_behind=months_behind), log_file)
    ids = marker(output, 'IDS')
    if not ids:
        sys.exit(f"Setting up agreements failed:\n{output[-3000:]}")
    return ids


def check(odoo, database, log_file, ids, periods):
    output, _code = shell(odoo, database, CHECK.format(ids=ids, periods=periods), log_file)
    invoiced, doubles, incomplete = (int(value) for value in marker(output, 'CHECK').split())
    return invoiced, doubles, incomplete


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--agreements', type=int, default=1000)
    parser.add_argument('--keep-db', action='store_true')
    options = parser.parse_args()
    odoo = ot.find_odoo()
    if not odoo:
        sys.exit("Odoo 19 was not found (ODOO_BIN or an importable odoo package).")
    database = ot.unique_db_name('af_reliability')
    log_file = Path(ot.WORK_DIR) / 'reliability.log'
    count = options.agreements
    failures = 0
    try:
        print(f"Creating {database} (log: {log_file}) ...", flush=True)
        if ot.run_odoo(odoo, [*ot.server_options(database, log_file), '-i', ot.ADDON, '--stop-after-init'], log_file):
            sys.exit(f"Installing failed; see {log_file}")

        # 1. two processes at the same moment
        ids = setup(odoo, database, log_file, count, 'race')
        started = time.monotonic()
        workers = [shell(odoo, database, RUN, log_file, wait=False) for _index in range(2)]
        outputs = [worker.stdout.read() for worker in workers]
        for worker in workers:
            worker.wait()
        invoiced, doubles, incomplete = check(odoo, database, log_file, ids, 1)
        ok = invoiced == count and not doubles and not incomplete
        failures += not ok
        print(f"two processes, {count} due agreements: {invoiced} invoices, {doubles} doubled, "
              f"{incomplete} agreements not invoiced, {time.monotonic() - started:.1f} s "
              f"[{'OK' if ok else 'FAILED'}]")
        for output in outputs:
            print("   ", marker(output, 'RESULT') or output[-500:])

        # 2. killed halfway (SIGKILL), then run again: three periods due per agreement
        ids = setup(odoo, database, log_file, count, 'kill', months_behind=2)
        worker = shell(odoo, database, RUN, log_file, wait=False)
        time.sleep(8)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        invoiced_before, _doubles, _incomplete = check(odoo, database, log_file, ids, 3)
        output, _code = shell(odoo, database, RUN, log_file)
        invoiced, doubles, incomplete = check(odoo, database, log_file, ids, 3)
        ok = invoiced == 3 * count and not doubles and not incomplete
        failures += not ok
        print(f"killed after {invoiced_before} of {3 * count} invoices, then run again: {invoiced} invoices, "
              f"{doubles} doubled, {incomplete} agreements with gaps [{'OK' if ok else 'FAILED'}]")
    finally:
        if not options.keep_db:
            ot.drop_database(database)
    print(f"reliability: {2 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
