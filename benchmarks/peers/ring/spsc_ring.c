// The physical limit: a single-producer/single-consumer ring of fixed-size raw messages in shared memory,
// with no serialization, no multi-producer safety and no crash safety. Parent and children share an anonymous
// MAP_SHARED mapping across fork(). Prints one JSON line of results.
//
//   spsc_ring throughput --bytes N --seconds S
//   spsc_ring pingpong   --bytes N --seconds S [--futex] [--mailbox]
//       A round trip through two rings (or, with --mailbox, one message slot each way), spinning or sleeping in a
//       futex every hop.
//   spsc_ring idle       --seconds S                        (CPU of a consumer sleeping in a futex)
// Throughput uses a ring with shared tail and head indexes, which a consumer behind the producer reads once per run
// of messages; a round trip uses rings whose slots carry their own sequence numbers, so that a hop moves one line
// (the slot) where a shared tail index would move a second (0.27 against 0.17 us per round trip on the 2-core VM).
// --mailbox is not a queue: one slot each way, its lines always hot in both cores, the floor of any round trip.
// With --model, throughput and pingpong move their messages through TypedIpc's protocol modelled in C
// (protocol_model.h) instead of the bare ring, and report as peer "protocol-model".
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol_model.h"

#define SLOTS 1024
#define MAX_BYTES 65536
#define CACHE_LINE 64
#define STOP_SEQUENCE UINT64_MAX
#define WARMUP_ROUND_TRIPS 1000
#define MAX_ROUND_TRIPS 2000000

struct shared {
    _Alignas(CACHE_LINE) atomic_uint ready;
    atomic_uint go;
    _Alignas(CACHE_LINE) atomic_uint tail;
    _Alignas(CACHE_LINE) atomic_uint head;
    _Alignas(CACHE_LINE) atomic_uint ping;
    _Alignas(CACHE_LINE) atomic_uint pong;
    _Alignas(CACHE_LINE) unsigned char slots[];
};

struct options {
    const char *mode;
    size_t bytes;
    double seconds;
    int futex;
    int model;
    int mailbox;
};

// The ring of a round trip: SLOTS slots of whole lines, each its sequence word, then the message. Slot i holds
// item i + k * SLOTS: its sequence reads that item while the slot is free for it, the item + 1 once it is written;
// the consumer frees it for the item one lap on. The positions are each process's own: a single producer and a
// single consumer need no shared index.
struct sequenced_ring {
    unsigned char *slots;
    size_t slot_bytes;
    unsigned next;
};

// The forward and backward rings of a round trip, mapped before the ponger forks.
static struct sequenced_ring round_trip_rings[2];

// The forward and backward queues of --model (throughput uses the forward one), mapped before the children fork.
static struct model_queue *model_queues;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void futex_wait(atomic_uint *word, unsigned expected)
{
    syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static void futex_wake(atomic_uint *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void die(const char *message)
{
    fprintf(stderr, "spsc_ring: %s\n", message);
    exit(2);
}

static struct shared *map_shared(size_t bytes)
{
    size_t size = sizeof(struct shared) + (size_t)SLOTS * bytes;
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        die("mmap failed");
    }
    return memory;
}

static void wait_for_go(struct shared *s)
{
    atomic_fetch_add(&s->ready, 1);
    while (!atomic_load_explicit(&s->go, memory_order_acquire)) {
        cpu_relax();
    }
}

static void produce(struct shared *s, size_t bytes, double seconds)
{
    unsigned char message[MAX_BYTES] = {0};
    unsigned tail = 0;
    unsigned cached_head = 0;
    wait_for_go(s);
    double deadline = now_seconds() + seconds;
    uint64_t sequence = 0;
    for (;;) {
        if ((sequence & 255) == 0 && now_seconds() >= deadline) {
            break;
        }
        while (tail - cached_head == SLOTS) {
            cached_head = atomic_load_explicit(&s->head, memory_order_acquire);
            cpu_relax();
        }
        memcpy(message, &sequence, sizeof sequence);
        if (model_queues != NULL) {
            model_put(&model_queues[0], 0, message, bytes);
            sequence++;
            continue;
        }
        memcpy(s->slots + (size_t)(tail % SLOTS) * bytes, message, bytes);
        atomic_store_explicit(&s->tail, ++tail, memory_order_release);
        sequence++;
    }
    uint64_t stop = STOP_SEQUENCE;
    if (model_queues != NULL) {
        memcpy(message, &stop, sizeof stop);
        model_put(&model_queues[0], 0, message, bytes);
        return;
    }
    while (tail - atomic_load_explicit(&s->head, memory_order_acquire) == SLOTS) {
        cpu_relax();
    }
    memcpy(s->slots + (size_t)(tail % SLOTS) * bytes, &stop, sizeof stop);
    atomic_store_explicit(&s->tail, ++tail, memory_order_release);
}

// Returns the number of messages received before the stop message.
static uint64_t consume(struct shared *s, size_t bytes)
{
    unsigned char message[MAX_BYTES];
    unsigned head = 0;
    unsigned cached_tail = 0;
    uint64_t received = 0;
    atomic_fetch_add(&s->ready, 1);
    for (;;) {
        if (model_queues != NULL) {
            model_get(&model_queues[0], 1, message, bytes);
        } else {
            while (head == cached_tail) {
                cached_tail = atomic_load_explicit(&s->tail, memory_order_acquire);
                cpu_relax();
            }
            memcpy(message, s->slots + (size_t)(head % SLOTS) * bytes, bytes);
            atomic_store_explicit(&s->head, ++head, memory_order_release);
        }
        uint64_t sequence;
        memcpy(&sequence, message, sizeof sequence);
        if (sequence == STOP_SEQUENCE) {
            return received;
        }
        received++;
    }
}

static void wait_child(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        die("a child process failed");
    }
}

static void run_throughput(const struct options *o)
{
    struct shared *s = map_shared(o->bytes);
    int result_pipe[2];
    if (pipe(result_pipe) != 0) {
        die("pipe failed");
    }
    pid_t consumer = fork();
    if (consumer == 0) {
        uint64_t received = consume(s, o->bytes);
        double finished = now_seconds();
        if (write(result_pipe[1], &received, sizeof received) != sizeof received
            || write(result_pipe[1], &finished, sizeof finished) != sizeof finished) {
            _exit(1);
        }
        _exit(0);
    }
    pid_t producer = fork();
    if (producer == 0) {
        produce(s, o->bytes, o->seconds);
        _exit(0);
    }
    while (atomic_load(&s->ready) < 2) {
        usleep(100);
    }
    double started = now_seconds();
    atomic_store_explicit(&s->go, 1, memory_order_release);
    uint64_t received;
    double finished;
    if (read(result_pipe[0], &received, sizeof received) != sizeof received
        || read(result_pipe[0], &finished, sizeof finished) != sizeof finished) {
        die("no result from the consumer");
    }
    wait_child(producer);
    wait_child(consumer);
    double elapsed = finished - started;
    printf("{\"peer\":\"%s\",\"mode\":\"throughput\",\"bytes\":%zu,\"producers\":1,\"consumers\":1,"
           "\"messages\":%llu,\"seconds\":%.6f,\"msgs_per_sec\":%.1f}\n",
           model_queues != NULL ? "protocol-model" : "ring", o->bytes, (unsigned long long)received, elapsed,
           (double)received / elapsed);
}

// Waits until a mailbox or sequence word reads `value`.
static void await_word(atomic_uint *word, unsigned value, int use_futex)
{
    unsigned seen;
    while ((seen = atomic_load_explicit(word, memory_order_acquire)) != value) {
        if (use_futex) {
            futex_wait(word, seen);
        } else {
            cpu_relax();
        }
    }
}

// One hop: publish a new value of the mailbox word, then wait until the peer's mailbox word moves on.
static void hop(atomic_uint *out, atomic_uint *in, unsigned value, unsigned char *slot, const unsigned char *message,
                    size_t bytes, int use_futex)
{
    memcpy(slot, message, bytes);
    atomic_store_explicit(out, value, memory_order_release);
    if (use_futex) {
        futex_wake(out);
    }
    await_word(in, value, use_futex);
}

static void map_round_trip_rings(size_t bytes)
{
    size_t slot_bytes = (sizeof(atomic_uint) + bytes + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    unsigned char *memory = mmap(NULL, 2 * SLOTS * slot_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        die("mmap failed");
    }
    for (int r = 0; r < 2; r++) {
        round_trip_rings[r] = (struct sequenced_ring){.slots = memory + r * SLOTS * slot_bytes, .slot_bytes = slot_bytes};
        for (unsigned i = 0; i < SLOTS; i++) {
            atomic_init((atomic_uint *)(round_trip_rings[r].slots + i * slot_bytes), i);
        }
    }
}

static unsigned char *slot_of(const struct sequenced_ring *r, unsigned item)
{
    return r->slots + (size_t)(item % SLOTS) * r->slot_bytes;
}

static void ring_put(struct sequenced_ring *r, const unsigned char *message, size_t bytes, int use_futex)
{
    unsigned item = r->next++;
    unsigned char *slot = slot_of(r, item);
    atomic_uint *sequence = (atomic_uint *)slot;
    // A round trip never has more than one message in a ring: the slot was freed a lap ago, and this never waits.
    await_word(sequence, item, 0);
    memcpy(slot + sizeof(atomic_uint), message, bytes);
    atomic_store_explicit(sequence, item + 1, memory_order_release);
    if (use_futex) {
        futex_wake(sequence);
    }
}

static void ring_get(struct sequenced_ring *r, unsigned char *message, size_t bytes, int use_futex)
{
    unsigned item = r->next++;
    unsigned char *slot = slot_of(r, item);
    atomic_uint *sequence = (atomic_uint *)slot;
    await_word(sequence, item + 1, use_futex);
    memcpy(message, slot + sizeof(atomic_uint), bytes);
    atomic_store_explicit(sequence, item + SLOTS, memory_order_release);
}

// Whether a message is the stop message, which ends every ponger.
static int is_stop(const unsigned char *message)
{
    uint64_t sequence;
    memcpy(&sequence, message, sizeof sequence);
    return sequence == STOP_SEQUENCE;
}

// One round trip of the dialer: the message out, the answer back (into message).
static void round_trip(struct shared *s, unsigned value, unsigned char *message, const struct options *o)
{
    if (model_queues != NULL) {
        model_put(&model_queues[0], 0, message, o->bytes);
        model_get(&model_queues[1], 0, message, o->bytes);
    } else if (o->mailbox) {
        hop(&s->ping, &s->pong, value, s->slots, message, o->bytes, o->futex);
    } else {
        ring_put(&round_trip_rings[0], message, o->bytes, o->futex);
        ring_get(&round_trip_rings[1], message, o->bytes, o->futex);
    }
}

// The ponger of the rings: answers every message with itself until the stop message.
static void ring_pong(const struct options *o)
{
    unsigned char received[MAX_BYTES];
    for (;;) {
        ring_get(&round_trip_rings[0], received, o->bytes, o->futex);
        ring_put(&round_trip_rings[1], received, o->bytes, o->futex);
        if (is_stop(received)) {
            _exit(0);
        }
    }
}

// The ponger of --model: answers every message with itself until the stop message.
static void model_pong(size_t bytes)
{
    unsigned char received[MAX_BYTES];
    for (;;) {
        model_get(&model_queues[0], 1, received, bytes);
        model_put(&model_queues[1], 1, received, bytes);
        if (is_stop(received)) {
            _exit(0);
        }
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void run_pingpong(const struct options *o)
{
    struct shared *s = map_shared(o->bytes);
    unsigned char message[MAX_BYTES] = {0};
    if (!o->mailbox && model_queues == NULL) {
        map_round_trip_rings(o->bytes);
    }
    pid_t ponger = fork();
    if (ponger == 0 && model_queues != NULL) {
        model_pong(o->bytes);
    }
    if (ponger == 0 && !o->mailbox) {
        ring_pong(o);
    }
    if (ponger == 0) {
        unsigned char received[MAX_BYTES];
        for (unsigned value = 1;; value++) {
            await_word(&s->ping, value, o->futex);
            memcpy(received, s->slots, o->bytes);
            memcpy(s->slots + o->bytes, received, o->bytes);
            atomic_store_explicit(&s->pong, value, memory_order_release);
            if (o->futex) {
                futex_wake(&s->pong);
            }
            if (is_stop(received)) {
                _exit(0);
            }
        }
    }
    double *samples = malloc(sizeof(double) * MAX_ROUND_TRIPS);
    if (samples == NULL) {
        die("out of memory");
    }
    unsigned value = 0;
    for (int i = 0; i < WARMUP_ROUND_TRIPS; i++) {
        round_trip(s, ++value, message, o);
    }
    size_t count = 0;
    double deadline = now_seconds() + o->seconds;
    while (count < MAX_ROUND_TRIPS) {
        double started = now_seconds();
        if (started >= deadline) {
            break;
        }
        round_trip(s, ++value, message, o);
        samples[count++] = (now_seconds() - started) * 1e6;
    }
    uint64_t stop = STOP_SEQUENCE;
    memcpy(message, &stop, sizeof stop);
    round_trip(s, ++value, message, o);
    wait_child(ponger);
    qsort(samples, count, sizeof(double), compare_doubles);
    printf("{\"peer\":\"%s\",\"mode\":\"pingpong\",\"bytes\":%zu,\"round_trips\":%zu,\"p50_us\":%.3f,\"p99_us\":%.3f}\n",
           model_queues != NULL ? "protocol-model" : o->mailbox ? (o->futex ? "mailbox-futex" : "mailbox") : o->futex ? "ring-futex" : "ring",
           o->bytes, count, samples[count / 2], samples[count * 99 / 100]);
    free(samples);
}

static double cpu_seconds_of(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        die("cannot read the child's /proc stat");
    }
    char line[4096];
    if (fgets(line, sizeof line, file) == NULL) {
        die("empty /proc stat");
    }
    fclose(file);
    unsigned long utime, stime;
    const char *after_name = strrchr(line, ')');
    if (after_name == NULL || sscanf(after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
        die("unexpected /proc stat format");
    }
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static void run_idle(const struct options *o)
{
    struct shared *s = map_shared(sizeof(uint64_t));
    pid_t consumer = fork();
    if (consumer == 0) {
        atomic_fetch_add(&s->ready, 1);
        while (atomic_load_explicit(&s->tail, memory_order_acquire) == 0) {
            futex_wait(&s->tail, 0);
        }
        _exit(0);
    }
    while (atomic_load(&s->ready) < 1) {
        usleep(100);
    }
    usleep(500000);
    double cpu_before = cpu_seconds_of(consumer);
    double started = now_seconds();
    usleep((useconds_t)(o->seconds * 1e6));
    double elapsed = now_seconds() - started;
    double cpu = cpu_seconds_of(consumer) - cpu_before;
    atomic_store_explicit(&s->tail, 1, memory_order_release);
    futex_wake(&s->tail);
    wait_child(consumer);
    printf("{\"peer\":\"ring-futex\",\"mode\":\"idle\",\"seconds\":%.3f,\"cpu_percent\":%.3f}\n", elapsed, 100.0 * cpu / elapsed);
}

static struct options parse(int argc, char **argv)
{
    struct options o = {.mode = argc > 1 ? argv[1] : "", .bytes = 32, .seconds = 1.0, .futex = 0};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--futex") == 0) {
            o.futex = 1;
        } else if (strcmp(argv[i], "--model") == 0) {
            o.model = 1;
        } else if (strcmp(argv[i], "--mailbox") == 0) {
            o.mailbox = 1;
        } else if (strcmp(argv[i], "--bytes") == 0 && i + 1 < argc) {
            o.bytes = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            o.seconds = strtod(argv[++i], NULL);
        } else {
            die("usage: spsc_ring throughput|pingpong|idle [--bytes N] [--seconds S] [--futex] [--mailbox | --model]");
        }
    }
    if (o.bytes < sizeof(uint64_t) || o.bytes > MAX_BYTES || o.seconds <= 0) {
        die("--bytes must be 8 to 65536 and --seconds positive");
    }
    if (o.mailbox && (o.model || strcmp(o.mode, "pingpong") != 0)) {
        die("--mailbox is a way of running pingpong, without --model");
    }
    if (o.model && (o.futex || o.bytes > MODEL_INLINE_BYTES || strcmp(o.mode, "idle") == 0)) {
        die("--model runs throughput and pingpong (spinning) with at most 120 bytes");
    }
    return o;
}

int main(int argc, char **argv)
{
    struct options o = parse(argc, argv);
    if (o.model) {
        model_queues = mmap(NULL, 2 * sizeof(struct model_queue), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (model_queues == MAP_FAILED) {
            die("mmap failed");
        }
        model_initialize(&model_queues[0]);
        model_initialize(&model_queues[1]);
    }
    if (strcmp(o.mode, "throughput") == 0) {
        run_throughput(&o);
    } else if (strcmp(o.mode, "pingpong") == 0) {
        run_pingpong(&o);
    } else if (strcmp(o.mode, "idle") == 0) {
        run_idle(&o);
    } else {
        die("the mode must be throughput, pingpong or idle");
    }
    return 0;
}
