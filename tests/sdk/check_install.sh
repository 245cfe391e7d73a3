#!/bin/sh
# The installed tree as a user and a third-party module author get it: every component installed into a
# scratch prefix, then the installed siphost run with no -L, and sdk/examples/hello built against the prefix
# alone, once with CMake (find_package(siphost 1 CONFIG)) and once with pkg-config.
#
# Environment (set by tests/sdk/CMakeLists.txt): CMAKE, CTEST, CC, BUILD_DIR, SOURCE_DIR, WORK_DIR, LIBDIR,
# PROJECT_VERSION, ABI_VERSION, STOCK_MODULES (file names, space-separated).
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
step() { echo "--- $*"; }

prefix="$WORK_DIR/prefix"
rm -rf "$WORK_DIR"
mkdir -p "$WORK_DIR" || fail "cannot create $WORK_DIR"

step "cmake --install $BUILD_DIR --prefix $prefix (every component)"
"$CMAKE" --install "$BUILD_DIR" --prefix "$prefix" >"$WORK_DIR/install.log" 2>&1 ||
    { cat "$WORK_DIR/install.log" >&2; fail "cmake --install failed"; }

step "the installed tree"
for f in bin/siphost \
         include/siphost/module.h include/siphost/module.hpp include/siphost/api/tm.h include/siphost/api/sl.h \
         include/siphost/api/db.h include/siphost/api/auth.h include/siphost/api/usrloc.h include/siphost/api/xhttp.h \
         include/siphost/api/rr.h include/siphost/api/tls.h include/siphost/api/dialog.h \
         include/siphost/api/websocket.h include/siphost/api/send_lines.h \
         include/siphost/testkit.hpp "$LIBDIR/libsiphost_testkit.a" \
         "$LIBDIR/cmake/siphost/siphostConfig.cmake" "$LIBDIR/cmake/siphost/siphostConfigVersion.cmake" \
         "$LIBDIR/cmake/siphost/SiphostModule.cmake" "$LIBDIR/pkgconfig/siphost.pc" \
         etc/siphost/siphost.cfg lib/systemd/system/siphost.service \
         share/doc/siphost/README.md share/doc/siphost/abi.md; do
    [ -f "$prefix/$f" ] || fail "not installed: $prefix/$f"
done
[ -x "$prefix/bin/siphost" ] || fail "$prefix/bin/siphost is not executable"
for m in $STOCK_MODULES; do
    [ -f "$prefix/lib/siphost/modules/$m" ] || fail "stock module not installed: $prefix/lib/siphost/modules/$m"
done
# Tests are not part of an install: no fixture or test module may reach the module directory.
for f in "$prefix"/lib/siphost/modules/*; do
    case " $STOCK_MODULES " in
    *" ${f##*/} "*) ;;
    *) fail "not a stock module, but installed: $f" ;;
    esac
done

unit="$prefix/lib/systemd/system/siphost.service"
grep -qx "ExecStart=$prefix/bin/siphost -DD -E -f $prefix/etc/siphost/siphost.cfg" "$unit" ||
    fail "$unit: ExecStart does not run $prefix/bin/siphost on $prefix/etc/siphost/siphost.cfg: $(grep ExecStart "$unit")"
grep -qx "Type=simple" "$unit" || fail "$unit: not Type=simple (siphost sends no sd_notify)"
# Offline, where systemd is installed: an unknown key or a bad value is only a warning, so any output fails.
if command -v systemd-analyze >/dev/null; then
    if ! out=$(systemd-analyze verify "$unit" 2>&1) || [ -n "$out" ]; then
        fail "systemd-analyze verify $unit:
$out"
    fi
fi

step "the installed siphost: version, and the default config with its default module path (no -L)"
version=$("$prefix/bin/siphost" -V 2>&1) || fail "siphost -V failed: $version"
case "$version" in *"$PROJECT_VERSION"*) ;; *) fail "siphost -V does not print $PROJECT_VERSION: $version" ;; esac
for defines in "" "-A WITH_TM"; do
    # shellcheck disable=SC2086
    out=$(cd / && "$prefix/bin/siphost" -c $defines -f "$prefix/etc/siphost/siphost.cfg" 2>&1)
    case "$out" in
    *"config OK"*) echo "$out" | grep "config OK" ;;
    *) fail "the installed siphost -c $defines rejects the installed config (modules in $prefix/lib/siphost/modules):
$out" ;;
    esac
done

# Every 1.x up to the package's own minor is accepted; the next minor and the next major are refused.
abi_minor=${ABI_VERSION#*.}
next_minor="1.$((abi_minor + 1))"
step "find_package(siphost ... CONFIG): 1, 1.0 and $ABI_VERSION accepted, 2 and $next_minor refused"
probe="$WORK_DIR/probe"
mkdir -p "$probe"
cat >"$probe/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(probe LANGUAGES NONE)
find_package(siphost ${WANT} CONFIG REQUIRED COMPONENTS sdk host)
get_target_property(location siphost::host IMPORTED_LOCATION)
get_target_property(features siphost::sdk INTERFACE_COMPILE_FEATURES)
message(STATUS "probe: version=${siphost_VERSION} moduledir=${SIPHOST_MODULE_DIR} host=${location} features=${features}")
EOF
for want in 1 1.0 "$ABI_VERSION"; do
    out=$("$CMAKE" -S "$probe" -B "$probe/build-$want" -DWANT=$want -DCMAKE_PREFIX_PATH="$prefix" 2>&1) ||
        fail "find_package(siphost $want CONFIG) refused by the installed package:
$out"
    expected="probe: version=$ABI_VERSION moduledir=$prefix/lib/siphost/modules host=$prefix/bin/siphost features=cxx_std_17"
    echo "$out" | grep -qxF -- "-- $expected" || fail "find_package(siphost $want CONFIG): expected '$expected', got:
$out"
done
echo "$expected"
for want in 2 "$next_minor"; do
    if out=$("$CMAKE" -S "$probe" -B "$probe/build-$want" -DWANT=$want -DCMAKE_PREFIX_PATH="$prefix" 2>&1); then
        fail "find_package(siphost $want CONFIG) accepted the ABI $ABI_VERSION package:
$out"
    fi
    echo "$out" | grep -q "version: $ABI_VERSION" ||
        fail "find_package(siphost $want CONFIG) failed, but not for the version:
$out"
    echo "find_package(siphost $want CONFIG) refused: the package is $ABI_VERSION"
done

step "sdk/examples/hello with CMake against $prefix alone"
hello="$WORK_DIR/hello-cmake"
"$CMAKE" -S "$SOURCE_DIR/sdk/examples/hello" -B "$hello" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$CC" \
    >"$WORK_DIR/hello-cmake.log" 2>&1 || { cat "$WORK_DIR/hello-cmake.log" >&2; fail "configuring the hello example failed"; }
"$CMAKE" --build "$hello" >>"$WORK_DIR/hello-cmake.log" 2>&1 ||
    { cat "$WORK_DIR/hello-cmake.log" >&2; fail "building the hello example failed"; }
out=$("$prefix/bin/siphost" --module-info "$hello/hello.so" 2>&1) || fail "installed siphost --module-info hello.so:
$out"
echo "$out" | grep -Eq "module: +hello" || fail "installed siphost --module-info hello.so does not describe hello:
$out"
echo "$out"
# The example's own test runs siphost::host, the imported installed binary.
(cd "$hello" && "$CTEST" --output-on-failure) >"$WORK_DIR/hello-ctest.log" 2>&1 ||
    { cat "$WORK_DIR/hello-ctest.log" >&2; fail "the hello example's own test (siphost::host) failed"; }
grep -q "hello_module_info .*Passed" "$WORK_DIR/hello-ctest.log" ||
    { cat "$WORK_DIR/hello-ctest.log" >&2; fail "the hello example has no test running siphost::host"; }

step "sdk/examples/hello with pkg-config and the compiler alone"
command -v pkg-config >/dev/null || fail "pkg-config is not installed (make deps installs it)"
export PKG_CONFIG_PATH="$prefix/$LIBDIR/pkgconfig"
pc_version=$(pkg-config --modversion siphost 2>&1) || fail "pkg-config does not find siphost in $PKG_CONFIG_PATH: $pc_version"
[ "$pc_version" = "$ABI_VERSION" ] || fail "pkg-config --modversion siphost is $pc_version, not the ABI version $ABI_VERSION"
moduledir=$(pkg-config --variable=moduledir siphost)
[ "$(realpath -m "$moduledir")" = "$prefix/lib/siphost/modules" ] ||
    fail "pkg-config --variable=moduledir siphost is $moduledir, not $prefix/lib/siphost/modules"
cflags=$(pkg-config --cflags siphost) || fail "pkg-config --cflags siphost failed"
# shellcheck disable=SC2086
"$CC" -shared -fPIC -fvisibility=hidden -Wl,-z,defs $cflags -o "$WORK_DIR/hello-pc.so" \
    "$SOURCE_DIR/sdk/examples/hello/hello.c" || fail "cc -shared -fPIC $cflags hello.c failed"
out=$("$prefix/bin/siphost" --module-info "$WORK_DIR/hello-pc.so" 2>&1) ||
    fail "installed siphost --module-info on the pkg-config build:
$out"
echo "$out" | grep -Eq "module: +hello" || fail "the pkg-config build of hello is not described as hello:
$out"
echo "pkg-config: siphost $pc_version, $cflags; hello-pc.so is module hello"

echo "PASS: installed tree, config check, find_package(siphost 1), pkg-config"
