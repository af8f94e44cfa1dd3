#!/usr/bin/env python3
"""Invoicing run benchmark, side by side on one database and machine.

For each N it prepares one database (N customers, N due agreements and, for OCA, N contracts),
then measures, each in a process of its own (so that peak memory is its own) on a fresh copy of
that database (so every stage starts from the same data):
  odoo      Odoo's own account.move create + post of the same N invoices, in batches of 100
  autofak   AutoFaktura's invoicing run (_cron_generate_invoices) for N due agreements
  oca       OCA contract (odoo-addon-contract from PyPI, installed without its dependencies
            into a temporary addons path) creating and posting the same N invoices
and prints time per invoice, the ratio to Odoo's own create + post, SQL queries per invoice
and the process's peak memory; for the two batched stages also the time per invoice of the first
and the last tenth of their committed batches (wall-clock and the process's CPU). The delivery
run (PDF + archive + mail) is measured for --delivery invoices with one and with two worker
processes.

Usage: benchmarks/bench_invoicing.py [--sizes 1000,10000] [--rounds 1] [--order odoo,autofaktura,oca]
       [--delivery 100] [--no-oca] [--keep-db]
Needs an Odoo 19 (ODOO_BIN or an importable odoo), PostgreSQL, wkhtmltopdf, and pip access
to PyPI for odoo-addon-contract.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'scripts'))
import odoo_tooling as ot  # noqa: E402

PRELUDE = """
import json, resource, time
import odoo.sql_db
from dateutil.relativedelta import relativedelta
from odoo import Command, fields
today = fields.Date.context_today(env.user)
batches = []  # (invoices, wall seconds, CPU seconds) of each committed batch
batch_clock = [0.0, 0.0]
def batch_done(invoices):
    now = (time.perf_counter(), time.process_time())
    batches.append((invoices, now[0] - batch_clock[0], now[1] - batch_clock[1]))
    batch_clock[:] = now
def measure(label, count, function):
    queries = odoo.sql_db.sql_counter
    started = time.perf_counter()
    cpu_started = time.process_time()
    batch_clock[:] = (started, cpu_started)
    function()
    env.cr.commit()
    seconds = time.perf_counter() - started
    print('RESULT ' + json.dumps({'label': label, 'count': count, 'seconds': seconds,
        'cpu_seconds': time.process_time() - cpu_started,
        'queries': odoo.sql_db.sql_counter - queries,
        'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'batches': batches}))
"""

SETUP = """
product = env['product.product'].create({{'name': 'Benchmark service', 'list_price': 100.0, 'taxes_id': [Command.clear()]}})
journal = env['account.journal'].search([('type', '=', 'sale'), ('company_id', '=', env.company.id)], limit=1)
partner_vals = []
for i in range({count}):
    partner_vals.append({{'name': 'Benchmark {count} %s' % i, 'email': 'kunde%s@example.dk' % i}})
partners = env['res.partner'].create(partner_vals)
agreement_vals = []
for partner in partners:
    agreement_vals.append({{'partner_id': partner.id, 'date_start': today, 'journal_id': journal.id,
        'delivery_method': 'email',
        'line_ids': [Command.create({{'product_id': product.id, 'name': 'Service', 'price_unit': 100.0,
                                      'tax_ids': [Command.clear()]}})]}})
agreements = env['autofaktura.subscription'].create(agreement_vals)
agreements.action_activate()
if 'contract.contract' in env:
    contract_vals = []
    for partner in partners:
        contract_vals.append({{'name': 'Benchmark', 'partner_id': partner.id, 'contract_type': 'sale',
            'journal_id': journal.id, 'line_recurrence': False,
            'recurring_rule_type': 'monthly', 'recurring_interval': 1,
            'date_start': today, 'recurring_next_date': today,
            'contract_line_fixed_ids': [Command.create({{'product_id': product.id, 'name': 'Service',
                'quantity': 1, 'price_unit': 100.0}})]}})
    env['contract.contract'].create(contract_vals)
env.cr.commit()
print('SETUP ' + json.dumps({{'product': product.id, 'journal': journal.id, 'partners': partners.ids,
                             'agreements': agreements.ids}}))
"""

ODOO_NATIVE = """
setup = json.loads('''{setup}''')
def run():
    Move = env['account.move']
    partner_ids = setup['partners']
    for start in range(0, len(partner_ids), 100):
        moves = Move.create([{{
            'move_type': 'out_invoice', 'partner_id': partner_id, 'journal_id': setup['journal'],
            'invoice_date': today,
            'invoice_line_ids': [Command.create({{'product_id': setup['product'], 'name': 'Service',
                'quantity': 1, 'price_unit': 100.0, 'tax_ids': [Command.clear()]}})],
        }} for partner_id in partner_ids[start:start + 100]])
        moves._post(soft=False)
        env.cr.commit()
        batch_done(len(moves))
measure('odoo create+post', len(setup['partners']), run)
"""

AUTOFAKTURA = """
cron = env.ref('elmer_autofaktura.ir_cron_autofaktura_generate_invoices')
model = env['autofaktura.subscription'].with_context(cron_id=cron.id)
# time each committed batch: wrap the run's own commit step (instrumentation only)
model_class = type(model)
commit_run_progress = model_class._commit_run_progress
def timed_commit_run_progress(self, processed, remaining):
    seconds_left = commit_run_progress(self, processed, remaining)
    if processed:
        batch_done(processed)
    return seconds_left
model_class._commit_run_progress = timed_commit_run_progress
measure('autofaktura run', {count}, lambda: model._cron_generate_invoices())
"""

OCA = """
def run():
    before = set(env['account.move'].search([('move_type', '=', 'out_invoice'), ('state', '=', 'draft')]).ids)
    env['contract.contract']._cron_recurring_create(date_ref=today)
    drafts = env['account.move'].search([('move_type', '=', 'out_invoice'), ('state', '=', 'draft'),
                                         ('id', 'not in', list(before))])
    for start in range(0, len(drafts), 100):
        drafts[start:start + 100]._post(soft=False)
        env.cr.commit()
measure('oca contract cron+post', {count}, run)
"""

DELIVERY = """
cron = env.ref('elmer_autofaktura.ir_cron_autofaktura_deliver')
model = env['autofaktura.subscription'].with_context(cron_id=cron.id)
measure('delivery worker', {count}, lambda: model._cron_deliver(batch_size=5))
"""


def shell(odoo, database, script, log_file, extra_addons=None, wait=True):
    args = [*odoo, 'shell', *ot.server_options(database, log_file), '--no-http']
    if extra_addons:
        args = [arg if not arg.startswith('--addons-path=') else f'{arg},{extra_addons}' for arg in args]
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=ot.WORK_DIR)
    process.stdin.write(PRELUDE + script)
    process.stdin.close()
    if not wait:
        return process
    output = process.stdout.read()
    process.wait()
    return output


def lines(output, tag):
    found = [json.loads(line.split(' ', 1)[1]) for line in output.splitlines() if line.startswith(tag + ' ')]
    if not found:
        sys.exit(f"No {tag} in the output:\n{output[-4000:]}")
    return found


def run_on_copy(odoo, prepared, script, log_file, extra):
    """Run ``script`` on a fresh copy of the prepared database: every stage starts from the same data,
    so none pays for the invoices another one created before it."""
    database = ot.unique_db_name('af_bench_stage')
    subprocess.run(['createdb', '-T', prepared, database], env=ot.psql_env(), check=True)
    filestore = Path(ot.data_dir()) / 'filestore'
    if (filestore / prepared).is_dir():
        shutil.copytree(filestore / prepared, filestore / database)
    try:
        return lines(shell(odoo, database, script, log_file, extra), 'RESULT')[0]
    finally:
        ot.drop_database(database)
        shutil.rmtree(filestore / database, ignore_errors=True)


def oca_contract_addons():
    """odoo-addon-contract from PyPI, without its dependencies, unpacked into a temporary addons path."""
    folder = Path(tempfile.mkdtemp(prefix='oca-contract-'))
    subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '-q', '-d', str(folder),
                    'odoo-addon-contract>=19.0,<19.1'], check=True)
    wheel = next(folder.glob('*.whl'))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(folder / 'unpacked')
    return str(folder / 'unpacked' / 'odoo' / 'addons')


def report(results, reference):
    print(f"{'':28} {'N':>6} {'s total':>8} {'ms/invoice':>11} {'× odoo':>7} {'CPU ms/inv':>11} "
          f"{'queries/inv':>12} {'peak MB':>8}")
    for result in results:
        per_invoice = result['seconds'] / result['count'] * 1000
        ratio = f"{result['seconds'] / reference['seconds']:.2f}" if reference else '-'
        cpu = f"{result['cpu_seconds'] / result['count'] * 1000:.2f}" if 'cpu_seconds' in result else '-'
        print(f"{result['label']:28} {result['count']:>6} {result['seconds']:>8.1f} {per_invoice:>11.2f} "
              f"{ratio:>7} {cpu:>11} {result['queries'] / result['count']:>12.1f} {result['peak_mb']:>8.0f}")


def report_batches(results):
    """Time per invoice of the first and the last tenth of the committed batches: shows whether
    the cost per invoice grows through the run, and on which side (Odoo's CPU or the database)."""
    timed = [result for result in results if len(result.get('batches') or []) >= 10]
    if not timed:
        return
    print(f"{'ms/invoice per batch':28} {'first tenth':>21}   {'last tenth':>21}")
    print(f"{'':28} {'wall':>10} {'CPU':>10}   {'wall':>10} {'CPU':>10}")
    def per_invoice(batches, column):
        return sum(batch[column] for batch in batches) / sum(batch[0] for batch in batches) * 1000

    for result in timed:
        batches = result['batches']
        tenth = len(batches) // 10
        first, last = batches[:tenth], batches[-tenth:]
        print(f"{result['label']:28} {per_invoice(first, 1):>10.2f} {per_invoice(first, 2):>10.2f}   "
              f"{per_invoice(last, 1):>10.2f} {per_invoice(last, 2):>10.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='1000,10000')
    parser.add_argument('--delivery', type=int, default=100,
                        help="invoices for the delivery measurement (0: leave it out)")
    parser.add_argument('--rounds', type=int, default=1,
                        help="measure each stage this many times (order alternating) and keep the best")
    parser.add_argument('--order', default='', help="order of the stages in the first round, e.g. autofaktura,odoo,oca")
    parser.add_argument('--no-oca', action='store_true', help="leave OCA contract out")
    parser.add_argument('--keep-db', action='store_true')
    options = parser.parse_args()
    odoo = ot.find_odoo()
    if not odoo:
        sys.exit("Odoo 19 was not found (ODOO_BIN or an importable odoo package).")
    extra = None if options.no_oca else oca_contract_addons()
    log_file = Path(ot.WORK_DIR) / 'bench.log'
    print(f"{time.strftime('%Y-%m-%d %H:%M')} on {subprocess.run(['uname', '-srm'], capture_output=True, text=True).stdout.strip()}")
    for size in (int(value) for value in options.sizes.split(',')):
        prepared = ot.unique_db_name(f'af_bench_{size}')
        try:
            modules = ot.ADDON + ('' if options.no_oca else ',contract')
            install = [*ot.server_options(prepared, log_file), '-i', modules, '--stop-after-init']
            if extra:
                install = [a if not a.startswith('--addons-path=') else f'{a},{extra}' for a in install]
            if ot.run_odoo(odoo, install, log_file):
                sys.exit(f"Installing failed; see {log_file}")
            setup = lines(shell(odoo, prepared, SETUP.format(count=size), log_file, extra), 'SETUP')[0]
            stages = [('odoo', ODOO_NATIVE.format(setup=json.dumps(setup))),
                      ('autofaktura', AUTOFAKTURA.format(count=size))]
            if not options.no_oca:
                stages.append(('oca', OCA.format(count=size)))
            if options.order:
                order = options.order.split(',')
                stages.sort(key=lambda stage: order.index(stage[0]) if stage[0] in order else len(order))
            best = {}
            for round_number in range(options.rounds):
                # alternate the order from round to round, so no stage always runs first or last
                for name, script in (stages if round_number % 2 == 0 else stages[::-1]):
                    result = run_on_copy(odoo, prepared, script, log_file, extra)
                    if name not in best or result['seconds'] < best[name]['seconds']:
                        best[name] = result
            results = [best[name] for name in ('odoo', 'autofaktura', 'oca') if name in best]
            print(f"\nN = {size}" + (f", best of {options.rounds} rounds" if options.rounds > 1 else ""))
            report(results, results[0])
            report_batches(results)
        finally:
            if not options.keep_db:
                ot.drop_database(prepared)
    if not options.delivery:
        return
    # delivery: the same number of invoices with one and with two worker processes
    delivery = []
    for workers in (1, 2):
        database = ot.unique_db_name(f'af_bench_delivery_{workers}')
        try:
            if ot.run_odoo(odoo, [*ot.server_options(database, log_file), '-i', ot.ADDON, '--stop-after-init'], log_file):
                sys.exit(f"Installing failed; see {log_file}")
            lines(shell(odoo, database, SETUP.format(count=options.delivery), log_file), 'SETUP')
            lines(shell(odoo, database, AUTOFAKTURA.format(count=options.delivery), log_file), 'RESULT')
            started = time.perf_counter()
            processes = [shell(odoo, database, DELIVERY.format(count=options.delivery), log_file, wait=False)
                         for _index in range(workers)]
            outputs = [process.stdout.read() for process in processes]
            for process in processes:
                process.wait()
            wall = time.perf_counter() - started
            worker_results = [result for output in outputs for result in lines(output, 'RESULT')]
            delivery.append({'label': f'delivery, {workers} worker(s)', 'count': options.delivery, 'seconds': wall,
                             'cpu_seconds': sum(result['cpu_seconds'] for result in worker_results),
                             'queries': sum(result['queries'] for result in worker_results),
                             'peak_mb': max(result['peak_mb'] for result in worker_results)})
        finally:
            if not options.keep_db:
                ot.drop_database(database)
    print(f"\nDelivery (PDF + archive + mail), {options.delivery} invoices, wall-clock incl. process start")
    report(delivery, None)
    print(f"two workers vs one: {delivery[0]['seconds'] / delivery[1]['seconds']:.2f}× faster")


if __name__ == '__main__':
    main()
