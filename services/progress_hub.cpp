#include "services/progress_hub.hpp"

#include "domain/data/decimal.hpp"
#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cmath>

namespace bt {

progress_hub::progress_hub(std::size_t idle_bytes)
    : idle_(idle_bytes, [](const channel& c) { return c.bytes + 256; }) {}

progress_hub::channel& progress_hub::open_locked(const std::string& run_id) {
  auto it = live_.find(run_id);
  if (it != live_.end())
    return it->second;
  channel c = idle_.take(run_id).value_or(channel{});
  return live_.emplace(run_id, std::move(c)).first->second;
}

void progress_hub::park_locked(const std::string& run_id) {
  auto it = live_.find(run_id);
  if (it == live_.end() || !it->second.subscribers.empty())
    return;
  channel c = std::move(it->second);
  live_.erase(it);
  idle_.put(run_id, std::move(c)); // re-weighed by its bytes now
}

void progress_hub::publish_locked(const std::string& run_id, const std::string& type,
                                  const std::string& body) {
  channel& c = open_locked(run_id);
  progress_event e;
  e.seq = ++c.seq;
  e.type = type;
  // {"seq":N, then the body's members}
  // {"seq":N,"published_ms":T, then the body's members}: the publication
  // time (Unix ms) lets a client measure how late an event reached it.
  const auto published = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  e.data = "{\"seq\":" + std::to_string(e.seq) + ",\"published_ms\":" + std::to_string(published)
           + (body.size() > 2 ? "," : "") + body.substr(1);
  for (auto& [id, fn] : c.subscribers)
    fn(e);
  c.bytes += e.data.size() + e.type.size();
  c.ring.push_back(std::move(e));
  while (c.ring.size() > ring_size) {
    c.bytes -= c.ring.front().data.size() + c.ring.front().type.size();
    c.ring.pop_front();
  }
  park_locked(run_id);
}

void progress_hub::publish_transition(const db::run_row& row, const std::string* finished) {
  const std::string status(to_string(row.status));
  std::lock_guard<std::mutex> lock(mutex_);
  channel& c = open_locked(row.id);
  if (c.last_status == status) { // a sync that changed nothing a client sees
    park_locked(row.id);
    return;
  }
  c.last_status = status;
  if (finished) {
    publish_locked(row.id, status, *finished);
    return;
  }
  json_writer w;
  w.begin_object();
  w.key("run_id").string(row.id);
  w.key("status").string(status);
  w.key("progress").number(row.progress);
  w.key("attempts").number(static_cast<std::int64_t>(row.attempts));
  w.key("worker_id").optional_string(row.worker_id);
  w.end_object();
  publish_locked(row.id, "status", w.take());
}

void progress_hub::publish_progress(const std::string& run_id, const live_run& l) {
  json_writer w;
  w.begin_object();
  w.key("run_id").string(run_id);
  w.key("status").string("running");
  w.key("progress").number(l.percent.load());
  const auto bar_time = l.bar_time.load();
  if (bar_time != 0)
    w.key("current_bar_time").timestamp(bar_time);
  else
    w.key("current_bar_time").null();
  w.key("bars_done").number(l.bars_done.load());
  w.key("bars_total").number(l.bars_total.load());
  w.key("eta_seconds").number(l.eta_seconds.load());
  w.key("trades_so_far").number(l.trades.load());
  w.key("net_profit_so_far").number(fixed::from_units(l.net_profit_units.load()));
  w.key("open_position").number(fixed::from_units(l.position_units.load()));
  w.end_object();
  std::lock_guard<std::mutex> lock(mutex_);
  // Progress after the end (a late report of an abandoned attempt) or
  // before its start is not the run's: only a running run reports.
  if (open_locked(run_id).last_status != "running") {
    park_locked(run_id);
    return;
  }
  publish_locked(run_id, "progress", w.take());
  const parent* job = parents_.peek(run_id);
  if (!job)
    return;
  const std::string channel_id = job->channel;
  // A sweep's chunk: the configurations it has done move the sweep's stream.
  if (channel_id.rfind("sweep:", 0) == 0) {
    const auto done = static_cast<std::int64_t>(l.percent.load() / 100.0 * job->configurations);
    sweep_progress_locked(channel_id, run_id, done);
    return;
  }
  // A walk-forward's item: its percent is the walk-forward's (by fold).
  json_writer p;
  p.begin_object();
  p.key("walk_forward_id").string(channel_id.substr(13));
  p.key("status").string("running");
  p.key("progress").number(l.percent.load());
  p.key("eta_seconds").number(l.eta_seconds.load());
  p.end_object();
  const auto& wf = open_locked(channel_id);
  if (wf.last_status == "running" || wf.last_status == "queued")
    publish_locked(channel_id, "progress", p.take());
  else
    park_locked(channel_id);
}

void progress_hub::publish_document(const std::string& channel_id, const std::string& status,
                                    const std::string& document) {
  const bool terminal = status == "completed" || status == "failed" || status == "cancelled";
  std::lock_guard<std::mutex> lock(mutex_);
  channel& c = open_locked(channel_id);
  const bool ended =
      c.last_status == "completed" || c.last_status == "failed" || c.last_status == "cancelled";
  if (ended || c.last_document == document) {
    park_locked(channel_id);
    return;
  }
  c.last_status = status;
  c.last_document = document;
  if (channel_id.rfind("sweep:", 0) == 0 && !terminal) {
    // The chunks still running count in its progress, as between documents.
    boost::system::error_code ec;
    auto v = boost::json::parse(document, ec);
    if (!ec && v.is_object() && v.as_object().contains("counts")) {
      std::int64_t running = 0;
      for (const auto& [id, n] : c.running)
        running += n;
      auto& o = v.as_object();
      o["counts"].as_object()["running"] = running;
      o["progress"] = sweep_percent(c.stored, running, c.total);
      publish_locked(channel_id, "progress", boost::json::serialize(v));
      return;
    }
  }
  publish_locked(channel_id, terminal ? status : "progress", document);
}

double progress_hub::sweep_percent(std::int64_t stored, std::int64_t running, std::int64_t total) {
  if (total <= 0)
    return 0;
  const double pct = 100.0 * static_cast<double>(std::min(stored + running, total)) / total;
  return std::round(pct * 1e10) / 1e10; // as the status document rounds it
}

void progress_hub::link(const std::string& run_id, const std::string& channel_id,
                        std::int64_t configurations, std::int64_t total, std::int64_t done,
                        bool active, bool completed) {
  std::lock_guard<std::mutex> lock(mutex_);
  parents_.put(run_id, {channel_id, configurations});
  if (channel_id.rfind("sweep:", 0) != 0)
    return;
  channel& c = open_locked(channel_id);
  c.total = total;
  c.db_done = std::max(c.db_done, done);
  if (!c.counting) { // the first the hub sees of it (after a restart: what is stored)
    c.counting = true;
    c.stored = done;
  }
  if (completed && c.counted.insert(run_id).second) // bounded: one a chunk of one sweep
    c.stored += configurations;
  if (!active)
    c.running.erase(run_id);
  park_locked(channel_id);
}

void progress_hub::sweep_progress_locked(const std::string& channel_id, const std::string& item,
                                         std::int64_t done_in_item) {
  channel& c = open_locked(channel_id);
  c.running[item] = done_in_item;
  std::int64_t running = 0;
  for (const auto& [id, n] : c.running)
    running += n;
  const double pct = sweep_percent(c.stored, running, c.total);
  const auto now = std::chrono::steady_clock::now();
  if ((c.last_status != "running" && c.last_status != "queued")
      || (pct - c.last_progress < 1.0
          && now - c.last_progress_at < std::chrono::milliseconds(250))) {
    park_locked(channel_id);
    return;
  }
  c.last_progress = pct;
  c.last_progress_at = now;
  json_writer w;
  w.begin_object();
  w.key("sweep_id").string(channel_id.substr(6));
  w.key("status").string("running");
  w.key("progress").number(std::min(100.0, pct));
  w.key("counts").begin_object();
  w.key("total").number(c.total);
  w.key("done").number(c.db_done);
  w.key("running").number(running);
  w.end_object();
  w.end_object();
  publish_locked(channel_id, "progress", w.take());
}

std::string stream_document(std::string_view channel, const std::string& status_document) {
  if (channel.substr(0, 13) != "walk-forward:")
    return status_document;
  boost::system::error_code ec;
  auto v = boost::json::parse(status_document, ec);
  if (ec || !v.is_object())
    return status_document;
  auto& o = v.as_object();
  // The out-of-sample metrics, efficiency and profitable folds; not the
  // curve and every trade (GET .../trades and .../equity serve those).
  if (auto* result = o.if_contains("result"); result && result->is_object()) {
    boost::json::object summary;
    if (auto* oos = result->as_object().if_contains("out_of_sample"); oos && oos->is_object())
      for (const char* key : {"metrics", "walk_forward_efficiency", "profitable_folds_pct"})
        if (auto* v = oos->as_object().if_contains(key))
          summary[key] = *v;
    o.erase("result");
    o["out_of_sample"] = std::move(summary);
  }
  return boost::json::serialize(v);
}

std::uint64_t progress_hub::current_seq(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = live_.find(run_id); it != live_.end())
    return it->second.seq;
  const channel* c = idle_.peek(run_id);
  return c ? c->seq : 0;
}

progress_hub::subscription progress_hub::subscribe(const std::string& run_id, std::uint64_t after,
                                                   subscriber fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  channel& c = open_locked(run_id);
  subscription s;
  // The ring holds every event after `after` when its oldest is at most
  // after + 1 (or nothing was published since).
  s.complete =
      after <= c.seq && (c.ring.empty() ? after == c.seq : c.ring.front().seq <= after + 1);
  for (const auto& e : c.ring)
    if (e.seq > after)
      s.missed.push_back(e);
  s.id = ++next_subscriber_;
  c.subscribers.emplace(s.id, std::move(fn));
  ++subscriber_count_;
  return s;
}

void progress_hub::unsubscribe(const std::string& run_id, std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(run_id);
  if (it == live_.end() || it->second.subscribers.erase(id) == 0)
    return;
  --subscriber_count_;
  park_locked(run_id);
}

std::size_t progress_hub::subscribers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return subscriber_count_;
}

} // namespace bt
