#!/bin/sh
# scenarios.sh KUBELAB - every shipped scenario runs and its expectations
# hold; every scenario validates. Prints "N passed, N failed" at the end.
kubelab=${1:?usage: scenarios.sh path/to/kubelab}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
passed=0
failed=0
for f in scenarios/*.yaml; do
	if "$kubelab" run -q "$f" >"$out" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $f"
	else
		failed=$((failed + 1))
		echo "FAIL $f"
		sed 's/^/     /' "$out"
	fi
done
echo "scenarios: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
