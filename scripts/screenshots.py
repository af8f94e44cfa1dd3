#!/usr/bin/env python3
"""Screenshots of the real UI for static/description and README.md.

Needs a running Odoo with the demo database (scripts/run-demo, then e.g.
`python3 -m odoo -d autofaktura_demo --addons-path=. --http-port=8071`), Debian's
chromium and the `playwright` package (it drives /usr/bin/chromium; no browser download).

Usage: scripts/screenshots.py [--url http://127.0.0.1:8071] [--db autofaktura_demo]
"""
import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / 'elmer_autofaktura' / 'static' / 'description'


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--url', default='http://127.0.0.1:8071')
    parser.add_argument('--db', default='autofaktura_demo')
    parser.add_argument('--login', default='admin')
    parser.add_argument('--password', default='admin')
    options = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path='/usr/bin/chromium', args=[
            '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'])
        page = browser.new_page(viewport={'width': 1400, 'height': 860}, locale='da-DK')
        page.goto(f"{options.url}/web/login?db={options.db}")
        page.fill('input[name=login]', options.login)
        page.fill('input[name=password]', options.password)
        page.click('button[type=submit]')
        page.wait_for_url('**/odoo**', timeout=60000)

        def shoot(path, name, wait_for='.o_content'):
            page.goto(f"{options.url}{path}")
            page.wait_for_selector(wait_for, timeout=60000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / name))
            print("saved", OUT / name)

        shoot('/odoo/action-elmer_autofaktura.action_autofaktura_subscription', 'screenshot_agreements.png',
              '.o_list_view, .o_kanban_view')
        page.click('.o_data_row .o_data_cell')
        page.wait_for_selector('.o_form_view', timeout=60000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(OUT / 'screenshot_agreement.png'))
        print("saved", OUT / 'screenshot_agreement.png')
        shoot('/odoo/action-account.action_move_out_invoice_type', 'screenshot_invoices.png', '.o_list_view')
        page.click('.o_data_row .o_data_cell')
        page.wait_for_selector('.o_form_view', timeout=60000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(OUT / 'screenshot_invoice.png'))
        print("saved", OUT / 'screenshot_invoice.png')
        browser.close()


if __name__ == '__main__':
    main()
