#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ruledoc.sh - the shipped rules document themselves, and the alert
# reference is generated from them (README "Alert reference",
# farmhound.rules(5)), never written twice.
#
# - every shipped rule has name, description, advice and references, each
#   short enough for the JSON alert to carry uncut, and each file opens
#   with its "; NAME - summary" line (packaging/man/rules2doc.sh check);
# - README's reference is what `make ruledoc` writes from the rule files
#   now (regenerated into a temporary file and compared), and an edited
#   rule makes it stale;
# - farmhound.rules(5) as `make man` builds it lists every shipped rule,
#   and neither mandoc nor man warns;
# - the generator refuses a rule without any one of the four keys, and
#   escapes markdown and roff;
# - the alerts: a shipped rule's carry its description and advice uncut;
#   an admin's rule without them loads without a word from -t, and its
#   alerts have neither key.
# Runs no daemon and binds no port: the alerts come from --scan of the
# PiKVM fixture under umockdev-run.
. "$(dirname "$0")/lib.sh"

GEN="$top/packaging/man/rules2doc.sh"
T=$(mktemp -d /tmp/fh-ruledoc.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM

# ---- the shipped rules ----
nrules=$(cat "$RULES"/*.rules | grep -c '^\[rule ')
sh "$GEN" check "$RULES"/*.rules >"$T/check.out" 2>&1
check "every shipped rule ($nrules) has name, description, advice and references" \
	test $? = 0 -a ! -s "$T/check.out"
sed 's/^/# /' "$T/check.out"

# ---- README ----
sh "$GEN" readme "$top/README.md" "$RULES"/*.rules >"$T/README.md" 2>"$T/readme.err"
check "README's alert reference is the one the rule files make (else: make ruledoc)" \
	cmp -s "$top/README.md" "$T/README.md"
diff "$top/README.md" "$T/README.md" 2>/dev/null | head -n 20 | sed 's/^/# /'
sed 's/^/# /' "$T/readme.err"
check "... with one row per shipped rule" \
	test "$(sed -n '/^<!-- BEGIN rules reference/,/^<!-- END rules reference/p' "$T/README.md" |
		grep -c '^| `[^`]*` | ')" = "$nrules"
# An edited advice must show: the comparison above has teeth.
mkdir "$T/edited"
cp "$RULES"/*.rules "$T/edited/"
sed -i '0,/^advice  *= /s/^advice  *= /advice      = Edited: /' "$T/edited/10-ip-kvm.rules"
sh "$GEN" readme "$top/README.md" "$T/edited"/*.rules >"$T/README.edited" 2>/dev/null
check "an edited rule makes README stale" \
	sh -c "! cmp -s '$top/README.md' '$T/README.edited' &&
		grep -q '| Edited: ' '$T/README.edited'"

# ---- farmhound.rules(5) ----
"$FH" --fields >"$T/fields"
sh "$top/packaging/man/fields2man.sh" "$top/packaging/man/farmhound.rules.5.in" "$T/fields" \
	>"$T/rules.5.fields"
sh "$GEN" man "$T/rules.5.fields" "$RULES"/*.rules >"$T/farmhound.rules.5"
check "farmhound.rules(5) builds" test $? = 0 -a -s "$T/farmhound.rules.5"
missing=""
for id in $(sed -n 's/^\[rule \([^]]*\)\].*/\1/p' "$RULES"/*.rules); do
	grep -q "^\.It Cm $id Pq " "$T/farmhound.rules.5" || missing="$missing $id"
done
check "farmhound.rules(5) lists every shipped rule${missing:+ (missing:$missing)}" \
	test -z "$missing"
check "... with its advice" \
	test "$(grep -c '^What to do: ' "$T/farmhound.rules.5")" = "$nrules"
check "farmhound.rules(5): mandoc -T lint -W warning says nothing" \
	test -z "$(mandoc -T lint -W warning "$T/farmhound.rules.5" 2>&1)"
check "farmhound.rules(5): man --warnings -l says nothing" \
	test -z "$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$T/farmhound.rules.5" 2>&1 >/dev/null)"

# ---- the generator ----
# rule KEY...: a documented rule file leaving out KEY..., as $T/gen/10-x.rules.
rule() {
	rm -rf "$T/gen"; mkdir "$T/gen"
	{
		echo "; 10-x.rules - a test pack."
		echo
		echo "[rule x]"
		for _k in name description advice references; do
			case " $* " in *" $_k "*) continue ;; esac
			case $_k in
			name) echo "name = X" ;;
			description) echo "description = What x saw." ;;
			advice) echo "advice = What to do." ;;
			references) echo "references = https://example.org/x" ;;
			esac
		done
		echo "source = usb"
		echo "when = is_gadget"
		echo "severity = info"
	} >"$T/gen/10-x.rules"
}
rule
check "the generator accepts a documented rule" sh "$GEN" check "$T/gen/10-x.rules"
for k in name description advice references; do
	rule "$k"
	sh "$GEN" check "$T/gen/10-x.rules" >/dev/null 2>"$T/gen.err"; rc=$?
	check "the generator refuses a shipped rule without $k, saying where" \
		sh -c "[ $rc = 1 ] && grep -q '10-x.rules:3: \[rule x\] has no $k' '$T/gen.err'"
done
rule
awk 'BEGIN { printf "description = "; for (i = 0; i < 193; i++) printf "d"; print "" }' \
	>>"$T/gen/10-x.rules"
sed -i '/^description = What x saw\.$/d' "$T/gen/10-x.rules"
sh "$GEN" check "$T/gen/10-x.rules" >/dev/null 2>"$T/gen.err"; rc=$?
check "the generator refuses a description the JSON alert would cut" \
	sh -c "[ $rc = 1 ] && grep -q 'description is 193 bytes in JSON (at most 192)' '$T/gen.err'"
rule
sed -i '1d' "$T/gen/10-x.rules"
check "the generator refuses a file without its '; NAME - summary' line" \
	sh -c "! sh '$GEN' check '$T/gen/10-x.rules' 2>/dev/null"
# Markdown: what would turn into emphasis, a cell border or a tag.
rule description
cat >>"$T/gen/10-x.rules" <<'EOF'
description = A | pipe, *stars*, _under_ <b>tag</b> and a \ back ; an inline comment
EOF
printf '<!-- BEGIN rules reference -->\nold\n<!-- END rules reference -->\n' >"$T/doc.md"
sh "$GEN" readme "$T/doc.md" "$T/gen/10-x.rules" >"$T/gen.md"
check "markdown: | * _ < and backslash escaped, the inline comment left out" \
	grep -qF '| **X.** A \| pipe, \*stars\*, \_under\_ &lt;b>tag&lt;/b> and a &#92; back |' "$T/gen.md"
check "markdown: the text between the markers replaced, the markers kept" \
	sh -c "! grep -qx old '$T/gen.md' && [ \$(grep -c 'rules reference' '$T/gen.md') = 2 ]"
# Roff: requests at the start of a line, the escape character.
rule name description advice
cat >>"$T/gen/10-x.rules" <<'EOF'
name        = .so /etc/passwd
description = A \fBbold word
              "in ; quotes" kept ; a comment
advice      = Stop. 'tis a line.
EOF
printf '.Sh SHIPPED RULES\n.\\" @RULES@\n' >"$T/tmpl.5"
sh "$GEN" man "$T/tmpl.5" "$T/gen/10-x.rules" >"$T/gen.5"
printf '%s\n' '\&.so /etc/passwd.' 'A \efBbold word "in ; quotes" kept' \
	'.Pp' 'What to do: Stop.' "\\&'tis a line." >"$T/gen.5.want"
check "roff: request-like lines and backslashes escaped, one sentence a line" \
	sh -c "sed -n '/^\.It Cm x /,\$p' '$T/gen.5' | sed '1d;\$d' | cmp -s - '$T/gen.5.want'"

# ---- the alerts ----
conf="$T/usb-only.conf"
collectors_only usb >"$conf"
# scan RULEDIR OUT: --scan of the PiKVM fixture, alerts (JSON) in OUT.
scan() {
	umockdev-run -d "$FIX/usb/pikvm.umockdev" -- \
		"$FH" --scan -c "$conf" -r "$1" >"$2" 2>"$2.err" </dev/null
	rc=$?
	crash_check "$rc" "umockdev-run -d $FIX/usb/pikvm.umockdev -- $FH --scan -r $1"
}
scan "$RULES" "$T/shipped.json"
check "shipped rules: the PiKVM raises alerts (exit 1, got $rc)" test "$rc" = 1
check "... each with the rule's description and advice, uncut" python3 -c '
import sys, json
n = 0
for line in open(sys.argv[1]):
    a = json.loads(line)
    d, adv = a["rule"].get("description", ""), a["farmhound"].get("advice", "")
    assert d and adv and not d.endswith("\u2026") and not adv.endswith("\u2026"), line
    n += 1
assert n > 0' "$T/shipped.json"
mkdir "$T/admin"
cat >"$T/admin/local.rules" <<'EOF'
[rule local-pikvm]
source   = usb
when     = manufacturer == "PiKVM"
severity = warning
EOF
out=$("$FH" -t -c "$conf" -r "$T/admin" 2>"$T/t.err")
check "an admin's rule without description or advice: -t says OK and nothing else" \
	sh -c "[ '$out' = 'configuration OK' ] && [ ! -s '$T/t.err' ]"
scan "$T/admin" "$T/admin.json"
check "... its alert has neither rule.description nor farmhound.advice" python3 -c '
import sys, json
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines and all("description" not in a["rule"] and "advice" not in a["farmhound"]
                     for a in lines)' "$T/admin.json"
finish
