# The same htable RPC commands through kamcmd against Kamailio 5.6 (Debian's, with htable and ctl) and against
# siphost, on the same table definition: the replies must have the same shapes once values are normalised
# (tests/modules/ctl/normalise.py), and the same values where they do not depend on hashing or time.
# htable.dump of a table with items compares by its structs' shapes: which slot holds an item depends on the
# table's hash, which is siphost's own.
. "$SOURCE_DIR/tests/integration/lib.sh"
. "$SOURCE_DIR/tests/modules/ctl/kamcmd_compare.sh"
TABLE='modparam("htable", "htable", "t=>size=6;autoexpire=600;")'

cat > "$WORK/kamailio.cfg" <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:5180
mpath="$KAM_MODULES/"
loadmodule "ctl.so"
loadmodule "sl.so"
loadmodule "htable.so"
modparam("ctl", "binrpc", "unix:$KAM_SOCK")
$TABLE
request_route { sl_send_reply("404", "Not Here"); }
CFG
cat > "$WORK/siphost.cfg" <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:5182
loadmodule "sl"
loadmodule "htable"
loadmodule "ctl"
modparam("ctl", "binrpc", "unix:$SIP_SOCK")
$TABLE
request_route { sl_send_reply("404", "Not Here"); }
CFG

start_both "$WORK/kamailio.cfg" "$WORK/siphost.cfg"

compare_commands <<'LIST'
same|htable.sets t s1 abc
same|htable.seti t n1 12
same|htable.get t s1
same|htable.get t n1
same|htable.get t missing
same|htable.get nope x
same|htable.listTables
same|htable.stats
same|htable.setex t s1 100
same|htable.setxs t s2 xyz 100
same|htable.setxi t n2 7 100
same|htable.get t s2
same|htable.get t n2
shapes|htable.dump t
same|htable.delete t s2
same|htable.get t s2
same|htable.sets t
same|htable.flush t
same|htable.dump t
same|htable.stats
LIST

stop_siphost
[ "$differences" = 0 ] || fail "siphost's htable replies differ from Kamailio's"
echo "PASS: kamcmd sees the same htable replies from siphost as from Kamailio 5.6"
