// A power cut for one file, as an LD_PRELOAD library the member crash tests load into a member.
//
// Every write to the file named by POWERCUT_FILE first saves the bytes it overwrites (and the file's size)
// in an undo journal, POWERCUT_JOURNAL; an fsync or fdatasync of the file empties the journal. After the
// process dies, undoing the journal's records newest first leaves the file as the disk held it at its
// last sync: every write the kernel had only in its page cache is lost, as in a power cut. Reads, and
// other files, are untouched.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int journal = -1;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev64)(int, const struct iovec *, int, off64_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static void resolve(void) {
    if (real_write) return;
    real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    real_writev = dlsym(RTLD_NEXT, "writev");
    real_pwritev = dlsym(RTLD_NEXT, "pwritev");
    real_pwritev64 = dlsym(RTLD_NEXT, "pwritev64");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_write = dlsym(RTLD_NEXT, "write");
}

// Whether `fd` is the file under test, opened without O_DSYNC (whose writes are durable at once).
static int tracked(int fd) {
    const char *target = getenv("POWERCUT_FILE");
    if (!target || fd < 0) return 0;
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_DSYNC) == O_DSYNC) return 0;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, path, sizeof path - 1);
    if (length <= 0) return 0;
    path[length] = 0;
    return strcmp(path, target) == 0;
}

static void append(const void *bytes, size_t count) {
    const char *at = bytes;
    while (count > 0) {
        ssize_t done = real_write(journal, at, count);
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) abort();
        at += done;
        count -= (size_t)done;
    }
}

// Saves what a write of `length` bytes at `offset` is about to overwrite. Caller holds `lock`.
static void remember(int fd, off_t offset, size_t length) {
    if (journal < 0) {
        const char *name = getenv("POWERCUT_JOURNAL");
        if (!name) abort();
        journal = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (journal < 0) abort();
    }
    struct stat status;
    if (fstat(fd, &status) != 0) abort();
    int64_t header[3] = {(int64_t)offset, (int64_t)length, (int64_t)status.st_size};
    size_t saved = 0;
    if (offset < status.st_size) {
        saved = (size_t)(status.st_size - offset) < length ? (size_t)(status.st_size - offset) : length;
    }
    char *old = malloc(saved ? saved : 1);
    size_t got = 0;
    while (got < saved) {
        ssize_t done = pread(fd, old + got, saved - got, offset + (off_t)got);
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) break;
        got += (size_t)done;
    }
    header[1] = (int64_t)got;
    append(header, sizeof header);
    append(old, got);
    free(old);
}

static void synced(int fd) {
    if (journal >= 0 && tracked(fd)) {
        pthread_mutex_lock(&lock);
        if (ftruncate(journal, 0) != 0) abort();
        pthread_mutex_unlock(&lock);
    }
}

static size_t total(const struct iovec *iov, int count) {
    size_t sum = 0;
    for (int i = 0; i < count; i++) sum += iov[i].iov_len;
    return sum;
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
    resolve();
    if (!tracked(fd)) return real_pwrite(fd, buffer, count, offset);
    pthread_mutex_lock(&lock);
    remember(fd, offset, count);
    ssize_t result = real_pwrite(fd, buffer, count, offset);
    pthread_mutex_unlock(&lock);
    return result;
}

ssize_t pwrite64(int fd, const void *buffer, size_t count, off64_t offset) {
    resolve();
    if (!tracked(fd)) return real_pwrite64(fd, buffer, count, offset);
    pthread_mutex_lock(&lock);
    remember(fd, (off_t)offset, count);
    ssize_t result = real_pwrite64(fd, buffer, count, offset);
    pthread_mutex_unlock(&lock);
    return result;
}

ssize_t write(int fd, const void *buffer, size_t count) {
    resolve();
    if (!tracked(fd)) return real_write(fd, buffer, count);
    pthread_mutex_lock(&lock);
    remember(fd, lseek(fd, 0, SEEK_CUR), count);
    ssize_t result = real_write(fd, buffer, count);
    pthread_mutex_unlock(&lock);
    return result;
}

ssize_t writev(int fd, const struct iovec *iov, int count) {
    resolve();
    if (!tracked(fd)) return real_writev(fd, iov, count);
    pthread_mutex_lock(&lock);
    remember(fd, lseek(fd, 0, SEEK_CUR), total(iov, count));
    ssize_t result = real_writev(fd, iov, count);
    pthread_mutex_unlock(&lock);
    return result;
}

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t offset) {
    resolve();
    if (!tracked(fd)) return real_pwritev(fd, iov, count, offset);
    pthread_mutex_lock(&lock);
    remember(fd, offset, total(iov, count));
    ssize_t result = real_pwritev(fd, iov, count, offset);
    pthread_mutex_unlock(&lock);
    return result;
}

ssize_t pwritev64(int fd, const struct iovec *iov, int count, off64_t offset) {
    resolve();
    if (!tracked(fd)) return real_pwritev64(fd, iov, count, offset);
    pthread_mutex_lock(&lock);
    remember(fd, (off_t)offset, total(iov, count));
    ssize_t result = real_pwritev64(fd, iov, count, offset);
    pthread_mutex_unlock(&lock);
    return result;
}

int fsync(int fd) {
    resolve();
    int result = real_fsync(fd);
    if (result == 0) synced(fd);
    return result;
}

int fdatasync(int fd) {
    resolve();
    int result = real_fdatasync(fd);
    if (result == 0) synced(fd);
    return result;
}
