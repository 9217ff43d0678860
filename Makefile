# FittingRoom — two commands:
#   make run    set up everything and serve the demo store on http://127.0.0.1:8000/
#   make test   set up everything (Chromium, Redis, PostgreSQL included) and run the whole test suite
.PHONY: run test setup bench

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
