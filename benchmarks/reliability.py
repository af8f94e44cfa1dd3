#!/usr/bin/env python3
"""Reliability of the invoicing run, with real Odoo processes against PostgreSQL.

1. Two Odoo processes run the invoicing at the same moment on N due agreements:
   exactly N invoices, none twice.
2. A run killed with SIGKILL halfway, then run again: exactly one invoice per due
   period, no gaps.
3. M agreements of which 5 % are broken in different ways (archived journal, customer
   blocked for invoicing, negative total, no postal address for a letter): the others are
   invoiced and delivered, the broken ones flagged with their reasons.
4. Mail server down (a closed port): invoices posted, mails kept in the queue; once a mail
   server answers (a local SMTP sink) they are all sent, none lost.
5. wkhtmltopdf failing (a stand-in that crashes like wkhtmltopdf does when it runs out of
   memory): invoices posted, delivery failed and logged; the next delivery run with the real
   wkhtmltopdf delivers them all, once.
6. A long catch-up: a weekly agreement two years behind completes in one run.

Usage: benchmarks/reliability.py [--agreements 1000] [--broken 1000] [--delivered 100] [--cases 1,2,3,4,5,6]
       [--keep-db]
Needs an Odoo 19 (ODOO_BIN or an importable odoo) and PostgreSQL, like scripts/run-tests.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import namedtuple
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


# The invoices of the earlier cases are not part of the later ones: set them aside.
SET_ASIDE = """
env.cr.execute("UPDATE account_move SET autofaktura_delivery_state = 'done' "
               "WHERE autofaktura_delivery_state IN ('pending', 'failed')")
"""

BROKEN = SET_ASIDE + """
from dateutil.relativedelta import relativedelta
from odoo import Command, fields
today = fields.Date.context_today(env.user)
journal = env['account.journal'].search([('type', '=', 'sale'), ('company_id', '=', env.company.id)], limit=1)
old_journal = journal.copy({{'name': 'Old sales', 'code': 'OLD'}})
vals = []
kinds = []
for i in range({count}):
    kind = ('archived journal', 'blocked customer', 'negative total', 'no postal address')[i % 4] \
        if i < {count} * 5 // 100 else 'ok'
    partner = env['res.partner'].create({{
        'name': 'Broken %s %s' % (kind, i), 'email': 'kunde%s@example.dk' % i,
        'street': '' if kind == 'no postal address' else 'Vestergade 1', 'zip': '8000', 'city': 'Aarhus'}})
    if kind == 'blocked customer':
        partner.autofaktura_invoicing_blocked = True
    vals.append({{
        'partner_id': partner.id, 'date_start': today,
        'journal_id': (old_journal if kind == 'archived journal' else journal).id,
        'delivery_method': 'letter',
        'line_ids': [Command.create({{'name': 'Service', 'price_unit': -100.0 if kind == 'negative total' else 100.0,
                                      'tax_ids': [Command.clear()]}})],
    }})
    kinds.append(kind)
subscriptions = env['autofaktura.subscription'].create(vals)
subscriptions.action_activate()
old_journal.action_archive()
env.cr.commit()
cron = env.ref('elmer_autofaktura.ir_cron_autofaktura_generate_invoices')
model = env['autofaktura.subscription'].with_context(cron_id=cron.id)
model._cron_generate_invoices()
model._cron_deliver()
env.cr.commit()
report = {{}}
for subscription, kind in zip(subscriptions, kinds):
    move = subscription.invoice_ids[:1]
    state = 'not invoiced: ' + (subscription.invoicing_error or '?').splitlines()[0][:60] if not move else (
        'delivered' if move.autofaktura_delivery_state == 'done' else
        'delivery failed: ' + (move.autofaktura_delivery_error or '?')[:60])
    report.setdefault(kind, {{}}).setdefault(state, 0)
    report[kind][state] += 1
import json
print('BROKEN ' + json.dumps(report))
"""

# {count} customers with an email agreement each, invoiced and delivered in one run.
EMAIL_AGREEMENTS_DELIVERED = SET_ASIDE + """
from odoo import Command, fields
today = fields.Date.context_today(env.user)
partners = env['res.partner'].create([{{'name': '{tag} %s' % i, 'email': 'kunde%s@example.dk' % i}} for i in range({count})])
subscriptions = env['autofaktura.subscription'].create([{{
    'partner_id': partner.id, 'date_start': today, 'delivery_method': 'email',
    'line_ids': [Command.create({{'name': 'Service', 'price_unit': 100.0, 'tax_ids': [Command.clear()]}})]}}
    for partner in partners])
subscriptions.action_activate()
env.cr.commit()
cron = env.ref('elmer_autofaktura.ir_cron_autofaktura_generate_invoices')
model = env['autofaktura.subscription'].with_context(cron_id=cron.id)
model._cron_generate_invoices()
model._cron_deliver()
env.cr.commit()
"""

MAIL_DOWN = EMAIL_AGREEMENTS_DELIVERED + """
server = env['ir.mail_server'].create({{'name': 'down', 'smtp_host': '127.0.0.1', 'smtp_port': {down_port}}})
env.cr.commit()
moves = subscriptions.invoice_ids
mails = env['mail.mail'].search([('model', '=', 'account.move'), ('res_id', 'in', moves.ids)])
env['mail.mail'].process_email_queue(email_ids=mails.ids)
env.cr.commit()
mails.invalidate_recordset()
down = (len(moves.filtered(lambda m: m.state == 'posted')), len(mails), len(mails.filtered(lambda m: m.state == 'outgoing')))
server.write({{'smtp_port': {up_port}}})
env.cr.commit()
env['mail.mail'].process_email_queue(email_ids=mails.ids)
env.cr.commit()
mails = env['mail.mail'].with_context(active_test=False).search([('id', 'in', mails.ids)])
sent = len(mails.filtered(lambda m: m.state == 'sent')) + ({count} - len(mails))
print('MAIL', down[0], down[1], down[2], sent)
"""

PDF_BROKEN = EMAIL_AGREEMENTS_DELIVERED + """
moves = subscriptions.invoice_ids
logged = env['autofaktura.log'].search_count([('move_id', 'in', moves.ids), ('event', '=', 'failed')])
print('PDFDOWN', ','.join(str(i) for i in subscriptions.ids), len(moves.filtered(lambda m: m.state == 'posted')),
      len(moves.filtered(lambda m: m.autofaktura_delivery_state == 'failed')), logged,
      len(moves.invoice_pdf_report_id))
"""

PDF_BACK = """
subscriptions = env['autofaktura.subscription'].browse([{ids}])
cron = env.ref('elmer_autofaktura.ir_cron_autofaktura_deliver')
env['autofaktura.subscription'].with_context(cron_id=cron.id)._cron_deliver()
env.cr.commit()
moves = subscriptions.invoice_ids
mails = env['mail.mail'].search_count([('model', '=', 'account.move'), ('res_id', 'in', moves.ids)])
print('PDFBACK', len(moves), len(moves.filtered(lambda m: m.autofaktura_delivery_state == 'done')),
      len(moves.invoice_pdf_report_id), mails)
"""

# Stands in for wkhtmltopdf: answers --version like the real one (so Odoo takes it), then crashes
# with a segmentation fault on every document, as wkhtmltopdf does when memory runs out.
CRASHING_WKHTMLTOPDF = """#!/bin/sh
case "$*" in *--version*) exec {real} --version ;; esac
echo "QPainter::begin(): Returned false" >&2
kill -SEGV $$
"""

CATCH_UP = """
import time
from dateutil.relativedelta import relativedelta
from odoo import Command, fields
today = fields.Date.context_today(env.user)
subscription = env['autofaktura.subscription'].create({{
    'partner_id': env['res.partner'].create({{'name': 'Weekly, two years behind'}}).id,
    'date_start': today - relativedelta(years=2), 'interval_unit': 'week', 'delivery_method': 'letter',
    'line_ids': [Command.create({{'name': 'Avis', 'price_unit': 40.0, 'tax_ids': [Command.clear()]}})]}})
subscription.action_activate()
env.cr.commit()
cron = env.ref('elmer_autofaktura.ir_cron_autofaktura_generate_invoices')
started = time.perf_counter()
env['autofaktura.subscription'].with_context(cron_id=cron.id)._cron_generate_invoices()
env.cr.commit()
print('CATCHUP', len(subscription.invoice_ids), round(time.perf_counter() - started, 1), subscription.next_invoice_date > today)
"""


def shell(odoo, database, script, log_file, wait=True, path=None):
    environment = dict(os.environ, PATH=f"{path}{os.pathsep}{os.environ['PATH']}") if path else None
    process = subprocess.Popen(
        [*odoo, 'shell', *ot.server_options(database, log_file), '--no-http'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ot.WORK_DIR,
        env=environment)
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


def committed_invoices(database, ids):
    """Invoices of these agreements that are committed, read by psql from outside Odoo."""
    result = subprocess.run(
        ['psql', '-d', database, '-tAc', "SELECT count(*) FROM account_move WHERE autofaktura_subscription_id "
         f"IN ({ids}) AND state != 'cancel'"], env=ot.psql_env(), capture_output=True, text=True, check=False)
    return int(result.stdout.strip() or 0)


def check(run, ids, periods):
    output, _code = shell(run.odoo, run.database, CHECK.format(ids=ids, periods=periods), run.log_file)
    invoiced, doubles, incomplete = (int(value) for value in marker(output, 'CHECK').split())
    return invoiced, doubles, incomplete


def verdict(ok):
    return f"[{'OK' if ok else 'FAILED'}]"


# Each case runs on the shared database, prints its line and returns whether it passed.

def case_two_processes(run):
    count = run.options.agreements
    ids = setup(run.odoo, run.database, run.log_file, count, 'race')
    started = time.monotonic()
    workers = [shell(run.odoo, run.database, RUN, run.log_file, wait=False) for _index in range(2)]
    outputs = [worker.stdout.read() for worker in workers]
    for worker in workers:
        worker.wait()
    invoiced, doubles, incomplete = check(run, ids, 1)
    ok = invoiced == count and not doubles and not incomplete
    print(f"two processes, {count} due agreements: {invoiced} invoices, {doubles} doubled, "
          f"{incomplete} agreements not invoiced, {time.monotonic() - started:.1f} s {verdict(ok)}")
    for output in outputs:
        print("   ", marker(output, 'RESULT') or output[-500:])
    return ok


def case_killed_halfway(run):
    """SIGKILL once half of the invoices are committed, then run again: three periods due per agreement."""
    count = run.options.agreements
    ids = setup(run.odoo, run.database, run.log_file, count, 'kill', months_behind=2)
    worker = shell(run.odoo, run.database, RUN, run.log_file, wait=False)
    deadline = time.monotonic() + 1800
    while worker.poll() is None and time.monotonic() < deadline and \
            committed_invoices(run.database, ids) < 3 * count // 2:
        time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    invoiced_before, _doubles, _incomplete = check(run, ids, 3)
    shell(run.odoo, run.database, RUN, run.log_file)
    invoiced, doubles, incomplete = check(run, ids, 3)
    ok = invoiced == 3 * count and not doubles and not incomplete
    print(f"killed after {invoiced_before} of {3 * count} invoices, then run again: {invoiced} invoices, "
          f"{doubles} doubled, {incomplete} agreements with gaps {verdict(ok)}")
    return ok


def case_five_percent_broken(run):
    broken = run.options.broken
    output, _code = shell(run.odoo, run.database, BROKEN.format(count=broken), run.log_file)
    report = json.loads(marker(output, 'BROKEN') or '{}')
    good = report.get('ok', {})
    # every broken agreement is flagged, with its reason: not invoiced, or its delivery failed
    broken_ok = all(state.startswith(('not invoiced: ', 'delivery failed: ')) and not state.endswith(': ?')
                    for kind, states in report.items() if kind != 'ok' for state in states)
    ok = good == {'delivered': broken - broken * 5 // 100} and broken_ok and len(report) == 5
    print(f"{broken} agreements, 5 % broken {verdict(ok)}")
    for kind, states in report.items():
        print(f"    {kind}: {sum(states.values())}, e.g. {next(iter(states))}")
    return ok


def case_mail_server_down(run):
    sink = subprocess.Popen([sys.executable, '-m', 'smtpd', '-n', '-c', 'DebuggingServer', '127.0.0.1:2525'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        output, _code = shell(run.odoo, run.database, MAIL_DOWN.format(
            tag='Mail', count=run.options.delivered, down_port=1, up_port=2525), run.log_file)
    finally:
        sink.terminate()
    posted, mails, kept, sent = (int(value) for value in (marker(output, 'MAIL') or '0 0 0 0').split())
    ok = posted == mails == kept == sent == run.options.delivered
    print(f"mail server down: {posted} invoices posted, {mails} mails, {kept} kept in the queue; "
          f"server back: {sent} sent {verdict(ok)}")
    return ok


def case_wkhtmltopdf_crashing(run):
    real = shutil.which('wkhtmltopdf')
    if not real:
        print(f"wkhtmltopdf failing: wkhtmltopdf is not installed {verdict(False)}")
        return False
    with tempfile.TemporaryDirectory() as folder:
        fake = Path(folder) / 'wkhtmltopdf'
        fake.write_text(CRASHING_WKHTMLTOPDF.format(real=real))
        fake.chmod(0o755)
        output, _code = shell(run.odoo, run.database, PDF_BROKEN.format(tag='PDF', count=run.options.delivered),
                              run.log_file, path=folder)
    ids, posted, failed, logged, archived = (marker(output, 'PDFDOWN') or '0 0 0 0 0').split()
    output, _code = shell(run.odoo, run.database, PDF_BACK.format(ids=ids), run.log_file)
    moves, delivered, archived_after, mails = (int(v) for v in (marker(output, 'PDFBACK') or '0 0 0 0').split())
    ok = (int(posted) == int(failed) == int(logged) == moves == delivered == archived_after == mails
          == run.options.delivered and int(archived) == 0)
    print(f"wkhtmltopdf crashing: {posted} invoices posted, {failed} deliveries failed and {logged} logged, "
          f"{archived} PDFs archived; wkhtmltopdf back: {delivered} delivered, {archived_after} archived, "
          f"{mails} mails {verdict(ok)}")
    return ok


def case_long_catch_up(run):
    output, _code = shell(run.odoo, run.database, CATCH_UP.format(), run.log_file)
    invoices, seconds, up_to_date = (marker(output, 'CATCHUP') or '0 0 False').split()
    ok = int(invoices) >= 104 and up_to_date == 'True'
    print(f"weekly agreement two years behind: {invoices} invoices in one run, {seconds} s {verdict(ok)}")
    return ok


# numbered as in the docstring above
CASES = {1: case_two_processes, 2: case_killed_halfway, 3: case_five_percent_broken,
         4: case_mail_server_down, 5: case_wkhtmltopdf_crashing, 6: case_long_catch_up}

Run = namedtuple('Run', 'odoo database log_file options')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--agreements', type=int, default=1000)
    parser.add_argument('--broken', type=int, default=1000,
                        help="agreements of the broken-agreements case, 5 %% of them broken (each renders a PDF)")
    parser.add_argument('--delivered', type=int, default=100,
                        help="agreements of the mail-down and wkhtmltopdf-failing cases")
    parser.add_argument('--cases', default='1,2,3,4,5,6', help="which cases to run (numbers as above)")
    parser.add_argument('--keep-db', action='store_true')
    options = parser.parse_args()
    cases = sorted({int(number) for number in options.cases.split(',')})
    if not set(cases) <= CASES.keys():
        sys.exit(f"--cases: choose among {','.join(map(str, CASES))}")
    odoo = ot.find_odoo()
    if not odoo:
        sys.exit("Odoo 19 was not found (ODOO_BIN or an importable odoo package).")
    run = Run(odoo, ot.unique_db_name('af_reliability'), Path(ot.WORK_DIR) / 'reliability.log', options)
    failures = 0
    try:
        print(f"Creating {run.database} (log: {run.log_file}) ...", flush=True)
        install = [*ot.server_options(run.database, run.log_file), '-i', ot.ADDON, '--stop-after-init']
        if ot.run_odoo(odoo, install, run.log_file):
            sys.exit(f"Installing failed; see {run.log_file}")
        for number in cases:
            failures += not CASES[number](run)
    finally:
        if not options.keep_db:
            ot.drop_database(run.database)
    print(f"reliability: {len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
