#!/bin/sh
# Expiry by usrloc's timer (timer_interval 1 s): a contact registered for 2 s is gone after 4 s, counted in
# usrloc.expires; a refreshed one stays.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"

start_siphost "$REG_DIR/cfg/registrar.cfg"
expect_request "erin registers for 2 s" 5071 REGISTER erin c-erin 1 200 'Contact: <sip:erin@127.0.0.1:5080>
Expires: 2' '+expires=[12]'
expect_request "frank registers for 600 s" 5071 REGISTER frank c-frank 1 200 'Contact: <sip:frank@127.0.0.1:5080>
Expires: 600'
expect_request "erin is registered" 5071 OPTIONS erin c-o 1 200 ''
sleep 4
expect_request "erin expired" 5071 OPTIONS erin c-o 2 404 ''
expect_request "frank did not" 5071 OPTIONS frank c-o 3 200 ''
stop_siphost
expect_log 'counters:.* usrloc\.expires=1( |$)' 1
expect_log 'counters:.* usrloc\.registered_users=1 usrloc\.registered_contacts=1( |$)' 1
echo "PASS: expiry by the timer"
