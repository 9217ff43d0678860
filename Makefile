# FittingRoom — two commands:
#   make run    set up everything and serve the demo store on http://127.0.0.1:8000/
#   make test   set up everything (Chromium, Redis, PostgreSQL included) and run the whole test suite
#   make serve-prod WORKERS=4   the production layout locally: nginx on :8080, N Daphne workers, Redis, PostgreSQL
.PHONY: run test setup bench serve-prod

run:
	tools/setup.sh --demo
	.venv/bin/python manage.py runserver --nostatic 127.0.0.1:8000

test:
	tools/setup.sh --system
	tools/test.sh

setup:
	tools/setup.sh --system --demo

bench:
	.venv/bin/python bench/render.py

WORKERS ?= 2
serve-prod:
	tools/setup.sh --system
	.venv/bin/python tools/serve_prod.py --workers $(WORKERS)
