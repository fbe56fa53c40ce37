#include "fs/mount_context.h"

#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <nlohmann/json.hpp>
#include <thread>

#include "fs/size_cache.h"

namespace sstablefs::fs {

// --- ErrorLog
// -----------------------------------------------------------------

namespace {
// A damaged data directory could produce a line per chunk; keep the log
// bounded so that a bad disk cannot grow the daemon without limit.
constexpr size_t kMaxErrorLogBytes = 4u << 20;
}  // namespace

void ErrorLog::Report(const std::string& message) {
  std::string line =
      message.rfind("sstablefs: ", 0) == 0 ? message : "sstablefs: " + message;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& l : lines_) {
    if (l == line) return;
  }
  if (bytes_ + line.size() + 1 > kMaxErrorLogBytes) return;
  bytes_ += line.size() + 1;
  // stderr is /dev/null once daemonized, so this only shows with -f.
  std::fprintf(stderr, "%s\n", line.c_str());
  lines_.push_back(std::move(line));
}

std::string ErrorLog::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out.reserve(bytes_);
  for (const std::string& l : lines_) (out += l) += '\n';
  return out;
}

size_t ErrorLog::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_.size();
}

// --- Background worker
// --------------------------------------------------------

// One thread running queued tasks in order, at the lowest priority. Size
// passes are CPU-heavy, so a single worker leaves the other core to the
// readers (PERF-NOTES).
class MountContext::Worker {
 public:
  ~Worker() { Stop(); }

  void Add(std::string description, std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    queue_.push_back({std::move(description), std::move(task)});
    ++queued_total_;
    cv_.notify_one();
  }

  void Start() {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_ || stopped_) return;
    started_ = true;
    thread_ = std::thread([this] { Run(); });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
      queue_.clear();
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

  nlohmann::json Status() const {
    std::lock_guard<std::mutex> lock(mu_);
    nlohmann::json j;
    j["queued"] = queue_.size();
    j["done"] = done_;
    j["total"] = queued_total_;
    j["running"] =
        current_.empty() ? nlohmann::json(nullptr) : nlohmann::json(current_);
    j["started"] = started_;
    return j;
  }

 private:
  struct Task {
    std::string description;
    std::function<void()> run;
  };

  void Run() {
    // Size passes render whole tables; they must not slow the reads users
    // are waiting for. Linux applies nice values per thread.
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
      if (stopped_) return;
      Task task = std::move(queue_.front());
      queue_.pop_front();
      current_ = task.description;
      lock.unlock();
      task.run();
      task.run = nullptr;  // release what the task captured, unlocked
      lock.lock();
      current_.clear();
      ++done_;
    }
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  std::string current_;
  uint64_t done_ = 0;
  uint64_t queued_total_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

// --- MountContext
// -------------------------------------------------------------

MountContext::MountContext(MountOptions options)
    : options_(std::move(options)),
      cache_(std::make_unique<reader::ChunkCache>(options_.cache_size)),
      sizes_(std::make_unique<SizeCache>(options_.cache_dir)),
      worker_(std::make_unique<Worker>()),
      mount_time_(std::time(nullptr)) {}

MountContext::~MountContext() { Shutdown(); }

void MountContext::RunInBackground(std::string description,
                                   std::function<void()> task) {
  worker_->Add(std::move(description), std::move(task));
}

void MountContext::StartBackground() { worker_->Start(); }

void MountContext::Shutdown() { worker_->Stop(); }

std::string MountContext::StatusJson() const {
  nlohmann::ordered_json j;
  j["source"] = options_.source;
  j["mountpoint"] = options_.mountpoint;
  j["mounted_at"] = mount_time_;
  j["now"] = options_.now_seconds;
  const reader::ChunkCacheStats c = cache_->stats();
  j["chunk_cache"] = {
      {"capacity_bytes", c.capacity}, {"used_bytes", c.charge},
      {"entries", c.entries},         {"hits", c.hits},
      {"misses", c.misses},           {"evictions", c.evictions}};
  j["sstables_opened"] = sstables_opened.load();
  j["tables_opened"] = tables_opened.load();
  j["bytes_rendered"] = bytes_rendered.load();
  const SizeCacheStats s = sizes_->stats();
  j["size_cache"] = {
      {"dir", s.dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.dir)},
      {"persistent", s.persistent},
      {"entries", s.entries},
      {"memory_hits", s.memory_hits},
      {"disk_hits", s.disk_hits},
      {"misses", s.misses},
      {"stored", s.stored},
      {"discarded", s.discarded},
      {"write_errors", s.write_errors}};
  const nlohmann::json w = worker_->Status();
  j["background"] = {{"queued", w["queued"]},
                     {"done", w["done"]},
                     {"total", w["total"]},
                     {"running", w["running"]}};
  j["errors"] = errors_.count();
  return j.dump(2) + "\n";
}

}  // namespace sstablefs::fs
