#!/bin/sh
# The app's roles in docker-compose.yml: sh scripts/compose.sh deploy <worker address> | indexer | executor
#
# anvil there starts a new chain whenever its container starts. So the contracts are deployed only when
# the chain lacks them (deploy --if-missing), and each chain gets an index schema and a queue prefix of
# its own, named after its genesis block's hash (a fresh anvil puts the contracts at the same addresses
# every time; its genesis differs): a new chain is indexed afresh, never into the tables (or under the
# job ids) of the last one.
set -eu
case "${1:-}" in
  deploy)
    npm run --silent deploy -- --if-missing
    npm run --silent grant-worker -- "$2"
    ;;
  indexer | executor)
    genesis=$(node -e '
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["0x0", false] });
      fetch(process.env.RPC_URL, { method: "POST", headers: { "content-type": "application/json" }, body })
        .then((r) => r.json())
        .then((j) => console.log(j.result.hash.slice(2, 10)));
    ')
    export QUEUE_PREFIX="ak_$genesis"
    if [ "$1" = indexer ]; then exec npx ponder start --schema "ak_$genesis"; fi
    exec npm run executor
    ;;
  *)
    echo "usage: sh scripts/compose.sh deploy <worker address> | indexer | executor" >&2
    exit 2
    ;;
esac
