"""The web portal: every role signs in and works in a browser, on the same services as the CLI.

- `app.py`: `create_app(settings)`, the Starlette application `qualify serve` runs.
- `portal.py`: what every request shares: settings, the database, templates, the clock.
- `auth.py`: sessions, sign-in cookies, CSRF and the role check, in one place: a route wraps
  itself in `page(...)` and gets the signed-in `Actor`.
- `security.py`: the headers every response carries.
- `routes/`: one module per area; each route parses a form, calls one service, renders.
- `templates/` (Jinja, autoescaped; every page extends `base.html`) and `static/` (CSS, JS).
"""
