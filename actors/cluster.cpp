#include "actors/cluster.hpp"

#include "actors/backtest_worker.hpp"
#include "config/log.hpp"
#include "domain/containers/bounded_lru.hpp"
#include "domain/data/bar_import.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/report/hex.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/run_repository.hpp"
#include "services/tracing.hpp"

#include <caf/all.hpp>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include <sys/resource.h>
#include <unistd.h>

namespace bt {
namespace {

struct gateway_state {
  static constexpr const char* name = "bt.cluster_gateway";
  std::string token;
  caf::actor qm;
  /// node id -> outstanding nonce; unjoined peers can only push out the
  /// oldest outstanding challenges.
  bounded_lru<std::string, std::string> challenges{1000};
  /// The CAF node each registered node id joined from, and back: the
  /// cluster trusts a message only from the connection that joined.
  std::map<std::string, caf::node_id> members;
  std::map<caf::node_id, std::string> member_of;

  /// The registered node id of the current message's sender, or nothing.
  std::optional<std::string> sender_node(caf::local_actor* self) const {
    auto sender = self->current_sender();
    if (!sender)
      return std::nullopt;
    auto it = member_of.find(sender->node());
    if (it == member_of.end())
      return std::nullopt;
    return it->second;
  }
};

// Everything the gateway refuses is logged with where it came from.
void reject(caf::local_actor* self, const char* what, const std::string& claimed,
            const std::string& reason) {
  std::string address = "unknown";
  if (auto sender = self->current_sender())
    address = caf::to_string(sender->node());
  log::warn(
      "cluster_message_rejected",
      {{"message", what}, {"claimed_node_id", claimed}, {"address", address}, {"reason", reason}});
}

gateway_actor::behavior_type gateway(gateway_actor::stateful_pointer<gateway_state> self,
                                     std::string token, caf::actor qm) {
  self->state.token = std::move(token);
  self->state.qm = std::move(qm);
  return {
      [self](hello_atom, const std::string& node_id) -> std::string {
        unsigned char nonce[32];
        RAND_bytes(nonce, sizeof nonce);
        auto challenge = to_hex(nonce, sizeof nonce);
        self->state.challenges.put(node_id, challenge);
        return challenge;
      },
      [self](join_atom, const std::string& node_id, const std::string& proof,
             std::vector<node_worker_actor>& workers, node_control_actor& control) -> bool {
        const std::string* nonce = self->state.challenges.peek(node_id);
        const std::string expected =
            nonce ? cluster_proof(self->state.token, *nonce, node_id) : std::string();
        self->state.challenges.erase(node_id); // one attempt per challenge
        const bool ok = !expected.empty() && proof.size() == expected.size()
                        && CRYPTO_memcmp(proof.data(), expected.data(), expected.size()) == 0;
        std::string address = "unknown";
        if (auto sender = self->current_sender())
          address = caf::to_string(sender->node());
        if (!ok) {
          log::warn(
              "node_rejected",
              {{"node_id", node_id}, {"address", address}, {"reason", "wrong cluster token"}});
          caf::anon_send(
              self->state.qm, audit_atom::value, std::string("node.rejected"), "node:" + node_id,
              db::audit_details({{"address", address}, {"reason", "wrong cluster token"}}));
          return false;
        }
        caf::anon_send(
            self->state.qm, audit_atom::value, std::string("node.joined"), "node:" + node_id,
            db::audit_details({{"address", address}, {"workers", std::to_string(workers.size())}}));
        log::info("node_joined", {{"node_id", node_id},
                                  {"address", address},
                                  {"workers", static_cast<std::uint64_t>(workers.size())}});
        auto& st = self->state;
        if (auto sender = self->current_sender()) {
          // A node id that joins again (a restarted node) moves to its new connection.
          if (auto old = st.members.find(node_id); old != st.members.end())
            st.member_of.erase(old->second);
          if (auto prev = st.member_of.find(sender->node()); prev != st.member_of.end())
            st.members.erase(prev->second);
          st.members[node_id] = sender->node();
          st.member_of[sender->node()] = node_id;
        }
        caf::anon_send(self->state.qm, node_atom::value, node_id, address, std::move(workers),
                       std::move(control));
        return true;
      },
      [self](heartbeat_atom, const std::string& node_id) {
        const auto from = self->state.sender_node(self);
        if (!from || *from != node_id)
          return reject(self, "heartbeat", node_id,
                        from ? "sent by node " + *from : "sender did not join");
        caf::anon_send(self->state.qm, heartbeat_atom::value, node_id);
      },
      // Progress and results name the node they came from (as verified here);
      // the queue manager accepts them only for an attempt it dispatched to
      // that node.
      [self](progress_atom, progress_report& report) {
        const auto from = self->state.sender_node(self);
        if (!from)
          return reject(self, "progress", "", "sender did not join");
        caf::anon_send(self->state.qm, progress_atom::value, *from, std::move(report));
      },
      [self](result_atom, job_result& result) {
        const auto from = self->state.sender_node(self);
        if (!from)
          return reject(self, "result", "", "sender did not join (run " + result.run_id + ")");
        caf::anon_send(self->state.qm, result_atom::value, *from, std::move(result));
      },
  };
}

struct node_worker_state {
  static constexpr const char* name = "bt.node_worker";
  /// run id -> CSV received so far, at most 1 GiB in all.
  bounded_lru<std::string, std::string> bars{1u << 30,
                                             [](const std::string& csv) { return csv.size(); }};
};

/// `report` sends a progress message as the worker actor (never
/// anonymously: the gateway checks who sent it).
job_result run_remote(const run_attempt& job, std::string csv,
                      const std::function<void(const live_run&)>& report,
                      node_cancellations& cancels, const fault_plan& faults, run_limits limits) {
  const auto started = std::chrono::steady_clock::now();
  job_result out;
  out.run_id = job.run_id;
  out.attempt = job.attempt;
  out.status = attempt_result::failed;
  auto source_tf = parse_timeframe(job.source_timeframe);
  if (!source_tf) {
    out.error = "unknown source timeframe " + job.source_timeframe;
    return out;
  }
  import_result imported = import_bars_csv(csv, job.symbol, *source_tf);
  if (!imported.accepted || imported.bars.empty()) {
    out.error = "the bars sent with the job could not be read";
    return out;
  }
  live_run live;
  auto flag = cancels.start(job.run_id);
  struct done_guard {
    node_cancellations& c;
    const std::string& id;
    ~done_guard() { c.finish(id); }
  } guard{cancels, job.run_id};
  if (is_chunk_config(job.config_json)) {
    // A sweep's chunk: its configurations' results go back as one document,
    // which the server checks before it stores anything.
    chunk_run run = run_chunk(
        job, imported.bars, live,
        [&](const live_run& l) {
          if (*flag)
            live.cancel = true;
          report(l);
        },
        faults, limits);
    out.error = run.error;
    out.permanent = run.permanent;
    out.status =
        *flag && run.result == attempt_result::completed ? attempt_result::cancelled : run.result;
    if (out.status != attempt_result::completed)
      return out;
    out.metrics_json = encode_chunk_results(run.rows);
    out.engine_version = engine_version();
    out.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return out;
  }
  if (is_walk_forward_config(job.config_json)) {
    walk_forward_run run = run_walk_forward_job(
        job, imported.bars, live,
        [&](const live_run& l) {
          if (*flag)
            live.cancel = true;
          report(l);
        },
        limits, faults);
    out.error = run.error;
    out.permanent = run.permanent;
    out.status = run.result;
    if (out.status != attempt_result::completed)
      return out;
    out.metrics_json = std::move(run.document);
    out.trades_csv = std::move(run.trades_csv);
    out.equity_csv = std::move(run.equity_csv);
    out.engine_version = engine_version();
    out.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return out;
  }
  const run_config config = config_from_json(job.config_json);
  bar_series bars = job.source_timeframe == job.timeframe
                        ? std::move(imported.bars)
                        : resample(imported.bars, config.timeframe);
  job_observer observer(
      live, bars, faults, job.attempt,
      [&](const live_run& l) {
        if (*flag)
          live.cancel = true;
        report(l);
      },
      config.execution.initial_capital, nullptr, limits);
  backtest_result result;
  try {
    result = run_backtest(config, bars, &observer);
  } catch (const backtest_error& e) {
    out.error = e.what();
    out.permanent = true; // deterministic: the same inputs fail the same way anywhere
    return out;
  }
  if (result.output.cancelled || *flag) {
    out.status = attempt_result::cancelled;
    return out;
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  db::stored_result stored = db::to_stored(result, engine_version(), ms);
  out.status = attempt_result::completed;
  out.metrics_json = std::move(stored.metrics_json);
  out.warnings_json = std::move(stored.warnings_json);
  out.trades_csv = std::move(stored.trades_csv);
  out.zones_csv = std::move(stored.zones_csv);
  out.equity_csv = equity_csv(result.output.equity); // nodes send text, checked on arrival
  out.data_checksum = stored.data_checksum;
  out.engine_version = stored.engine_version;
  out.duration_ms = ms;
  out.points = stored.points;
  out.zones = stored.zones;
  return out;
}

node_worker_actor::behavior_type
node_worker(node_worker_actor::stateful_pointer<node_worker_state> self, gateway_actor gateway,
            std::shared_ptr<node_cancellations> cancels, fault_plan faults, run_limits limits) {
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  return {
      [self](chunk_atom, const std::string& run_id, std::int32_t, const std::string& data) {
        // Bounded by bytes: chunks of runs that never started age out.
        std::string csv;
        if (std::string* so_far = self->state.bars.find(run_id)) {
          csv = std::move(*so_far);
          self->state.bars.erase(run_id);
        }
        csv += data;
        self->state.bars.put(run_id, std::move(csv));
      },
      [self, gateway, cancels, faults, limits](run_atom, const run_attempt& job) {
        std::string csv;
        if (std::string* received = self->state.bars.find(job.run_id))
          csv = std::move(*received);
        self->state.bars.erase(job.run_id);
        // An exception ends this actor; the server sees the worker go down
        // and retries the run elsewhere.
        auto report = [self, gateway, &job](const live_run& l) {
          progress_report r;
          r.run_id = job.run_id;
          r.attempt = job.attempt;
          r.percent = l.percent.load();
          r.eta_seconds = l.eta_seconds.load();
          r.bar_time = l.bar_time.load();
          r.trades = l.trades.load();
          r.bars_done = l.bars_done.load();
          r.bars_total = l.bars_total.load();
          r.net_profit_units = l.net_profit_units.load();
          r.position_units = l.position_units.load();
          self->send(gateway, progress_atom::value, std::move(r));
        };
        job_result result;
        {
          // The node's part of the run's trace (its own exporter): the
          // attempt span is the server's, from dispatch to stored result.
          span_scope engine(job.trace_id, job.attempt_span_id, "engine run");
          tracing::attempt_attributes(engine, job, job.worker_id);
          result = run_remote(job, std::move(csv), report, *cancels, faults, limits);
          if (result.status == attempt_result::failed)
            engine.fail(result.error);
        }
        self->send(gateway, result_atom::value, std::move(result));
      },
  };
}

} // namespace

std::string cluster_proof(const std::string& token, const std::string& challenge,
                          const std::string& node_id) {
  const std::string message = challenge + "|" + node_id;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return to_hex(mac, len);
}

std::string read_cluster_token(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read the cluster token file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
    token.pop_back();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front())))
    token.erase(token.begin());
  if (token.size() < 16)
    throw std::runtime_error("the cluster token in " + path + " is shorter than 16 characters");
  return token;
}

gateway_actor spawn_gateway(caf::actor_system& sys, std::string token, caf::actor queue_manager) {
  return sys.spawn(gateway, std::move(token), std::move(queue_manager));
}

node_worker_actor spawn_node_worker(caf::actor_system& sys, gateway_actor gateway,
                                    std::shared_ptr<node_cancellations> cancellations,
                                    run_limits limits) {
  const auto faults = fault_plan::from_environment();
  return sys.spawn<caf::detached>(node_worker, std::move(gateway), std::move(cancellations), faults,
                                  faults.applied_to(limits));
}

node_control_actor spawn_node_control(caf::actor_system& sys,
                                      std::shared_ptr<node_cancellations> cancellations) {
  return sys.spawn(
      [cancellations](node_control_actor::pointer) -> node_control_actor::behavior_type {
        return {[cancellations](cancel_atom, const std::string& run_id) {
          cancellations->cancel(run_id);
        }};
      });
}

} // namespace bt
