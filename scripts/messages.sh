#!/usr/bin/env bash
# Extract every translatable string into the catalogs under locale/ and compile them.
# Spanish: new strings arrive untranslated (tests/test_i18n_catalog.py fails until they are
# translated). English: the catalog is the source text itself, filled in here. The compiled
# .mo files are committed so that running Stepwise needs no gettext.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ignore=(--ignore=var --ignore=tests --ignore=bench --ignore=docs --ignore=static/vendor
  --ignore=scripts --ignore=test-artifacts)
for domain in django djangojs; do
  DEBUG=1 .venv/bin/python manage.py makemessages --locale=es --locale=en --domain="$domain" \
    --no-obsolete --no-location --no-wrap "${ignore[@]}"
  # English is the source text: a near match carried over from another string is dropped.
  en="locale/en/LC_MESSAGES/$domain.po"
  msgattrib --clear-fuzzy --empty --no-wrap -o "$en" "$en"
  msgen --no-wrap -o "$en" "$en"
done
DEBUG=1 .venv/bin/python manage.py compilemessages --locale=es --locale=en --ignore=.venv
