// Peer: Boost.Interprocess message_queue (a mutex + two condition variables around a ring of raw fixed-size
// messages in shared memory) between forked processes. Prints one JSON line of results.
//
//   message_queue throughput --bytes N --seconds S [--producers P] [--consumers C]
//   message_queue pingpong   --bytes N --seconds S
//   message_queue idle       --seconds S
#include <boost/interprocess/ipc/message_queue.hpp>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace ipc = boost::interprocess;

namespace {

constexpr unsigned kMaxSize = 1024;
constexpr int kWarmupRoundTrips = 1000;
constexpr std::uint64_t kStopSequence = UINT64_MAX;

struct Options {
    std::string mode;
    std::size_t bytes = 32;
    double seconds = 1.0;
    int producers = 1;
    int consumers = 1;
};

struct Control {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
};

double now_seconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Control* map_control()
{
    void* memory = mmap(nullptr, sizeof(Control), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        throw std::runtime_error("mmap failed");
    }
    return new (memory) Control();
}

// A uniquely named queue that is removed when the parent leaves the scope.
class NamedQueue {
public:
    NamedQueue(const std::string& role, std::size_t bytes)
        : name_("typedipc-bench-boost-" + role + "-" + std::to_string(getpid()))
    {
        ipc::message_queue::remove(name_.c_str());
        ipc::message_queue(ipc::create_only, name_.c_str(), kMaxSize, bytes);
    }
    ~NamedQueue() { ipc::message_queue::remove(name_.c_str()); }
    NamedQueue(const NamedQueue&) = delete;
    NamedQueue& operator=(const NamedQueue&) = delete;

    ipc::message_queue open() const { return ipc::message_queue(ipc::open_only, name_.c_str()); }

private:
    std::string name_;
};

std::uint64_t sequence_of(const std::vector<char>& message)
{
    std::uint64_t sequence;
    std::memcpy(&sequence, message.data(), sizeof sequence);
    return sequence;
}

void send(ipc::message_queue& queue, std::vector<char>& message, std::uint64_t sequence)
{
    std::memcpy(message.data(), &sequence, sizeof sequence);
    queue.send(message.data(), message.size(), 0);
}

std::uint64_t receive(ipc::message_queue& queue, std::vector<char>& message)
{
    std::size_t received_size;
    unsigned priority;
    queue.receive(message.data(), message.size(), received_size, priority);
    return sequence_of(message);
}

template <typename Body>
pid_t spawn(Body body)
{
    pid_t pid = fork();
    if (pid == 0) {
        try {
            body();
            _exit(0);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "message_queue child: %s\n", e.what());
            _exit(1);
        }
    }
    return pid;
}

void wait_children(const std::vector<pid_t>& children)
{
    for (pid_t child : children) {
        int status;
        if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            throw std::runtime_error("a child process failed");
        }
    }
}

void run_throughput(const Options& o)
{
    NamedQueue named("tp", o.bytes);
    Control* control = map_control();
    int results[2];
    if (pipe(results) != 0) {
        throw std::runtime_error("pipe failed");
    }
    std::vector<pid_t> children;
    for (int i = 0; i < o.consumers; i++) {
        children.push_back(spawn([&] {
            ipc::message_queue queue = named.open();
            std::vector<char> message(o.bytes);
            control->ready++;
            double outcome[2] = {0, 0};
            for (int stops = 0; stops < o.producers;) {
                if (receive(queue, message) == kStopSequence) {
                    stops++;
                } else {
                    outcome[0]++;
                }
            }
            outcome[1] = now_seconds();
            if (write(results[1], outcome, sizeof outcome) != sizeof outcome) {
                throw std::runtime_error("cannot report the result");
            }
        }));
    }
    for (int i = 0; i < o.producers; i++) {
        children.push_back(spawn([&] {
            ipc::message_queue queue = named.open();
            std::vector<char> message(o.bytes);
            control->ready++;
            while (!control->go.load()) {
                usleep(50);
            }
            double deadline = now_seconds() + o.seconds;
            for (std::uint64_t sequence = 0; (sequence & 255) != 0 || now_seconds() < deadline; sequence++) {
                send(queue, message, sequence);
            }
            for (int c = 0; c < o.consumers; c++) {
                send(queue, message, kStopSequence);
            }
        }));
    }
    while (control->ready.load() < o.producers + o.consumers) {
        usleep(100);
    }
    double started = now_seconds();
    control->go.store(true);
    double received = 0;
    double finished = 0;
    for (int i = 0; i < o.consumers; i++) {
        double outcome[2];
        if (read(results[0], outcome, sizeof outcome) != sizeof outcome) {
            throw std::runtime_error("a consumer reported no result");
        }
        received += outcome[0];
        finished = std::max(finished, outcome[1]);
    }
    wait_children(children);
    double elapsed = finished - started;
    std::printf("{\"peer\":\"boost\",\"mode\":\"throughput\",\"bytes\":%zu,\"producers\":%d,\"consumers\":%d,"
                "\"messages\":%.0f,\"seconds\":%.6f,\"msgs_per_sec\":%.1f}\n",
                o.bytes, o.producers, o.consumers, received, elapsed, received / elapsed);
}

void run_pingpong(const Options& o)
{
    NamedQueue named_requests("ping", o.bytes);
    NamedQueue named_replies("pong", o.bytes);
    pid_t ponger = spawn([&] {
        ipc::message_queue requests = named_requests.open();
        ipc::message_queue replies = named_replies.open();
        std::vector<char> message(o.bytes);
        std::uint64_t sequence;
        do {
            sequence = receive(requests, message);
            send(replies, message, sequence);
        } while (sequence != kStopSequence);
    });
    ipc::message_queue requests = named_requests.open();
    ipc::message_queue replies = named_replies.open();
    std::vector<char> message(o.bytes);
    for (int i = 0; i < kWarmupRoundTrips; i++) {
        send(requests, message, i);
        receive(replies, message);
    }
    std::vector<double> samples;
    double deadline = now_seconds() + o.seconds;
    for (std::uint64_t i = 0;; i++) {
        double started = now_seconds();
        if (started >= deadline) {
            break;
        }
        send(requests, message, i);
        receive(replies, message);
        samples.push_back((now_seconds() - started) * 1e6);
    }
    send(requests, message, kStopSequence);
    receive(replies, message);
    wait_children({ponger});
    std::sort(samples.begin(), samples.end());
    std::printf("{\"peer\":\"boost\",\"mode\":\"pingpong\",\"bytes\":%zu,\"round_trips\":%zu,\"p50_us\":%.3f,\"p99_us\":%.3f}\n",
                o.bytes, samples.size(), samples[samples.size() / 2], samples[samples.size() * 99 / 100]);
}

double cpu_seconds_of(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    unsigned long utime = 0;
    unsigned long stime = 0;
    std::size_t after_name = line.rfind(')');
    if (after_name == std::string::npos
        || std::sscanf(line.c_str() + after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
        throw std::runtime_error("cannot read the child's /proc stat");
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void run_idle(const Options& o)
{
    NamedQueue named("idle", o.bytes);
    Control* control = map_control();
    pid_t consumer = spawn([&] {
        ipc::message_queue queue = named.open();
        std::vector<char> message(o.bytes);
        control->ready++;
        receive(queue, message);
    });
    while (control->ready.load() < 1) {
        usleep(100);
    }
    usleep(500000);
    double cpu_before = cpu_seconds_of(consumer);
    double started = now_seconds();
    usleep(static_cast<useconds_t>(o.seconds * 1e6));
    double elapsed = now_seconds() - started;
    double cpu = cpu_seconds_of(consumer) - cpu_before;
    ipc::message_queue queue = named.open();
    std::vector<char> message(o.bytes);
    send(queue, message, kStopSequence);
    wait_children({consumer});
    std::printf("{\"peer\":\"boost\",\"mode\":\"idle\",\"seconds\":%.3f,\"cpu_percent\":%.3f}\n", elapsed, 100.0 * cpu / elapsed);
}

Options parse(int argc, char** argv)
{
    Options o;
    o.mode = argc > 1 ? argv[1] : "";
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string key = argv[i];
        const char* value = argv[i + 1];
        if (key == "--bytes") {
            o.bytes = std::strtoul(value, nullptr, 10);
        } else if (key == "--seconds") {
            o.seconds = std::strtod(value, nullptr);
        } else if (key == "--producers") {
            o.producers = std::atoi(value);
        } else if (key == "--consumers") {
            o.consumers = std::atoi(value);
        } else {
            throw std::invalid_argument("unknown option " + key);
        }
    }
    if (argc % 2 != 0 || o.bytes < sizeof(std::uint64_t) || o.seconds <= 0 || o.producers < 1 || o.consumers < 1) {
        throw std::invalid_argument(
            "usage: message_queue throughput|pingpong|idle [--bytes N>=8] [--seconds S>0] [--producers P] [--consumers C]");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        Options o = parse(argc, argv);
        if (o.mode == "throughput") {
            run_throughput(o);
        } else if (o.mode == "pingpong") {
            run_pingpong(o);
        } else if (o.mode == "idle") {
            run_idle(o);
        } else {
            throw std::invalid_argument("the mode must be throughput, pingpong or idle");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "message_queue: %s\n", e.what());
        return 2;
    }
    return 0;
}
