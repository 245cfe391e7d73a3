# Thin wrappers over CMake and CTest. As root on Debian 12, each target first installs what is missing.
BUILD        ?= build
BUILD_ASAN   ?= build-asan
BUILD_FUZZ   ?= build-fuzz
BUILD_INSTALL ?= build-install
PREFIX       ?= /usr/local
JOBS         ?= $(shell nproc)
CONFIG       ?= cfg/siphost.cfg
CMAKE_FLAGS  ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

# Everything siphost needs to build, test and benchmark, from Debian's packages.
DEB_PACKAGES := cmake make g++ pkg-config binutils libboost-dev libspdlog-dev libfmt-dev \
                libgtest-dev libgmock-dev libbenchmark-dev sip-tester clang libclang-rt-14-dev iproute2 \
                libssl-dev openssl nettle-dev libsqlite3-dev sqlite3 libpq-dev postgresql postgresql-client libmariadb-dev mariadb-server \
                mariadb-client nlohmann-json3-dev kamailio kamailio-sqlite-modules kamailio-mysql-modules kamailio-postgres-modules kamailio-tls-modules util-linux python3 python3-websockets valgrind

.PHONY: all deps build run test test-unit test-asan test-fuzz bench install clean

all: build

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "not root: install these packages first:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# Starts the proxy on the default config, in the foreground, logging to stderr.
run: build
	./$(BUILD)/siphost -DD -E -L $(BUILD)/modules -f $(CONFIG) $(RUN_ARGS)

# The whole suite: unit and integration tests, the same suite under ASan/UBSan, and the fuzz targets.
test: test-unit test-asan test-fuzz

test-unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DSIPHOST_SANITIZE=ON -DSIPHOST_BENCH=OFF
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	# intercept_tls_get_addr=0: GCC 12's runtime takes a heap block that happens to sit at a page offset of 16
	# for a pre-2.25 glibc TLS header and reads the words before it, and LeakSanitizer's tracer then dies with
	# SIGSEGV after the test passed ("Tracer caught signal 11"), now and then. glibc 2.36 has no such header.
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS) -LE no-asan

test-fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIPHOST_FUZZ=ON -DSIPHOST_BENCH=OFF
	cmake --build $(BUILD_FUZZ) -j $(JOBS)
	# Each fuzz target is one CPU-bound process with its own corpus: they run side by side, one a core.
	ctest --test-dir $(BUILD_FUZZ) --output-on-failure -L fuzz -j $(JOBS)

bench: build
	@if [ -x bench/run ]; then bench/run $(BUILD); else \
	  for b in $(BUILD)/bench/*/*_bench; do [ -x "$$b" ] && "$$b"; done; fi

# The binary, the stock modules, the SDK (headers, CMake package, siphost.pc), the default config, a systemd
# unit and the docs, under PREFIX. Its own build tree, without tests or benchmarks: installing compiles no test.
install: deps
	cmake -S . -B $(BUILD_INSTALL) $(CMAKE_FLAGS) -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DSIPHOST_TESTS=OFF -DSIPHOST_BENCH=OFF
	cmake --build $(BUILD_INSTALL) -j $(JOBS)
	cmake --install $(BUILD_INSTALL)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_INSTALL)
