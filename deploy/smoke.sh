#!/usr/bin/env bash
# Build planbot's image and try it as an IT officer would: compose with PostgreSQL, the
# migrations, the bot wired to the LINE stand-in. /readyz must say ready, and a signed LINE
# message must come back answered. Needs a running Docker daemon (.ci/run calls this only
# when `docker info` works; otherwise tests/test_deploy.py runs the same entry point).
set -euo pipefail
cd "$(dirname "$0")/.."
export COMPOSE_PROJECT_NAME=planbot-smoke
compose() { docker compose --profile try "$@"; }
trap 'compose logs --no-color planbot-try | tail -n 50; compose down -v --remove-orphans' EXIT

compose build
compose up -d planbot-try line-standin
for _ in $(seq 1 90); do
  if curl -fsS http://127.0.0.1:8001/readyz >/dev/null 2>&1; then break; fi
  sleep 2
done
curl -fsS http://127.0.0.1:8001/readyz; echo
answer=$(compose exec -T line-standin python -m tests.standins.line_chat say ช่วยเหลือ)
echo "$answer"
grep -q "เข้าร่วม" <<<"$answer"
echo "smoke test passed: the image migrated, served /readyz and answered LINE"
