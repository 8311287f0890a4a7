// libsystemd's readiness protocol (Debian package libsystemd-dev).
#include <systemd/sd-daemon.h>
