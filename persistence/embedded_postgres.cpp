#include "persistence/embedded_postgres.hpp"

#include "domain/report/hex.hpp"

#include <pqxx/pqxx>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bt::db {
namespace {

namespace fs = std::filesystem;

const std::string pg_bin = "/usr/lib/postgresql/15/bin/";
constexpr int pg_port = 5432; // a Unix socket only: the number just names the socket file

struct identity {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// PostgreSQL refuses to run as root: when we are root it runs as `postgres`.
identity server_identity() {
  if (::geteuid() != 0)
    return {};
  const passwd* pw = ::getpwnam("postgres");
  if (!pw)
    throw embedded_error("running as root needs the 'postgres' system user to run the embedded "
                         "database (apt-get install postgresql-15), or use --database-url");
  return {true, pw->pw_uid, pw->pw_gid};
}

// Runs a PostgreSQL tool and waits; its output is appended to `log`.
int run(const std::vector<std::string>& argv, const identity& as, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0)
    throw embedded_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    if (in >= 0)
      ::dup2(in, 0);
    if (as.drop && (::setgroups(0, nullptr) != 0 || ::setgid(as.gid) != 0 || ::setuid(as.uid) != 0))
      ::_exit(126);
    ::setenv("LC_ALL", "C", 1);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string tail_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > 1500 ? "..." + text.substr(text.size() - 1500) : text;
}

// The database password: 256 random bits as hex, kept in the data
// directory readable by the server's user only.
std::string read_or_create_password(const std::string& path) {
  {
    std::ifstream in(path);
    std::string pw;
    if (in && std::getline(in, pw) && pw.size() >= 32)
      return pw;
  }
  unsigned char raw[32];
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(reinterpret_cast<char*>(raw), sizeof raw))
    throw embedded_error("cannot read /dev/urandom for the database password");
  const std::string pw = to_hex(raw, sizeof raw);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw embedded_error("cannot write " + tmp + ": " + std::strerror(errno));
  const std::string line = pw + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())
                  && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    throw embedded_error("cannot write " + path + ": " + std::strerror(errno));
  return pw;
}

// Only password (SCRAM) logins on the socket: other local users cannot get
// in through `trust`, whatever a directory's mode.
const char* const hba_conf =
    "# Written by backtestd: SCRAM passwords only, on the Unix socket only.\n"
    "local all all scram-sha-256\n";

bool hba_is_locked_down(const std::string& pgdata) {
  std::ifstream in(pgdata + "/pg_hba.conf");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str() == hba_conf;
}

void make_dir(const std::string& path, mode_t mode, const identity& owner) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    throw embedded_error("cannot create " + path + ": " + ec.message());
  ::chmod(path.c_str(), mode);
  if (owner.drop && ::chown(path.c_str(), owner.uid, owner.gid) != 0)
    throw embedded_error("cannot hand " + path + " to the postgres user: " + std::strerror(errno));
}

} // namespace

std::unique_ptr<embedded_postgres> embedded_postgres::start(const std::string& data_dir) {
  std::unique_ptr<embedded_postgres> pg(new embedded_postgres());
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec)
    throw embedded_error("cannot create data directory " + data_dir + ": " + ec.message());
  pg->data_dir_ = fs::canonical(data_dir).string();
  const std::string lock = pg->data_dir_ + "/backtestd.lock";
  pg->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (pg->lock_fd_ < 0)
    throw embedded_error("cannot open " + lock + ": " + std::strerror(errno));
  if (::flock(pg->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    throw embedded_error("another backtestd server is already using data directory " + pg->data_dir_
                         + " (" + lock + " is locked)");
  pg->boot();
  return pg;
}

std::unique_ptr<embedded_postgres> embedded_postgres::attach(const std::string& data_dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec)
    throw embedded_error("cannot create data directory " + data_dir + ": " + ec.message());
  std::unique_ptr<embedded_postgres> pg(new embedded_postgres());
  pg->data_dir_ = fs::canonical(data_dir).string();
  const std::string lock = pg->data_dir_ + "/backtestd.lock";
  pg->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (pg->lock_fd_ >= 0 && ::flock(pg->lock_fd_, LOCK_EX | LOCK_NB) == 0) {
    pg->boot(); // no server: run postgres for as long as we need it
    return pg;
  }
  // A server holds the lock, so its postgres is up: connect to its socket.
  if (pg->lock_fd_ >= 0)
    ::close(pg->lock_fd_);
  pg->lock_fd_ = -1;
  pg->socket_dir_ = pg->data_dir_ + "/pg-run";
  pg->conninfo_ =
      "host=" + pg->socket_dir_ + " port=" + std::to_string(pg_port)
      + " user=backtestd password=" + read_or_create_password(pg->data_dir_ + "/pg-password")
      + " dbname=backtestd options='-c TimeZone=UTC'";
  return pg;
}

void embedded_postgres::boot() {
  const identity as = server_identity();
  pgdata_ = data_dir_ + "/pg";
  socket_dir_ = data_dir_ + "/pg-run";
  log_file_ = socket_dir_ + "/postgres.log";
  if ((socket_dir_ + "/.s.PGSQL.5432").size() >= 100)
    throw embedded_error("data directory path " + data_dir_
                         + " is too long for a Unix socket path; use a shorter --data-dir");
  // postgres must be able to reach its directories through the data dir.
  struct stat st {};
  if (as.drop && ::stat(data_dir_.c_str(), &st) == 0)
    ::chmod(data_dir_.c_str(), (st.st_mode & 07777) | 0711);
  make_dir(pgdata_, 0700, as);
  // The socket directory is the database's front door: the server's user
  // (and postgres) only.
  make_dir(socket_dir_, 0700, as);
  const std::string password = read_or_create_password(data_dir_ + "/pg-password");

  if (!fs::exists(pgdata_ + "/PG_VERSION")) {
    const std::string initdb_log = socket_dir_ + "/initdb.log";
    if (run({pg_bin + "initdb", "-D", pgdata_, "-U", "backtestd", "--auth=trust", "-E", "UTF8",
             "--no-locale", "--no-instructions"},
            as, initdb_log)
        != 0)
      throw embedded_error("initdb failed for " + pgdata_ + ":\n" + tail_of(initdb_log));
  }
  if (run({pg_bin + "pg_ctl", "-D", pgdata_, "status"}, as, "/dev/null") != 0) {
    const std::string options = "-k " + socket_dir_ + " -p " + std::to_string(pg_port)
                                + " -c listen_addresses='' -c unix_socket_permissions=0700";
    if (run({pg_bin + "pg_ctl", "-D", pgdata_, "-l", log_file_, "-w", "-t", "60", "-o", options,
             "start"},
            as, socket_dir_ + "/pg_ctl.log")
        != 0)
      throw embedded_error("postgres did not start (data " + pgdata_ + "):\n" + tail_of(log_file_));
  }
  owns_server_ = true;
  const std::string base = "host=" + socket_dir_ + " port=" + std::to_string(pg_port)
                           + " user=backtestd options='-c TimeZone=UTC'";
  if (!hba_is_locked_down(pgdata_)) {
    // A cluster made by initdb (or by an older backtestd) trusts local
    // logins: set the password while trust still works, then allow only
    // SCRAM. The socket directory is already private, so no one else can
    // use the moment in between.
    {
      pqxx::connection admin(base + " dbname=postgres");
      pqxx::nontransaction q(admin);
      q.exec("SET password_encryption = 'scram-sha-256'");
      q.exec("ALTER ROLE backtestd PASSWORD " + q.quote(password));
      q.exec("ALTER ROLE backtestd SET statement_timeout = '60s'");
      q.exec("ALTER ROLE backtestd SET idle_in_transaction_session_timeout = '60s'");
    }
    const std::string hba = pgdata_ + "/pg_hba.conf";
    {
      std::ofstream out(hba, std::ios::trunc);
      out << hba_conf;
      if (!out)
        throw embedded_error("cannot write " + hba);
    }
    if (as.drop && ::chown(hba.c_str(), as.uid, as.gid) != 0)
      throw embedded_error("cannot hand " + hba + " to the postgres user: " + std::strerror(errno));
    if (run({pg_bin + "pg_ctl", "-D", pgdata_, "reload"}, as, socket_dir_ + "/pg_ctl.log") != 0)
      throw embedded_error("postgres did not reload its authentication settings");
  }
  const std::string authenticated = base + " password=" + password;
  {
    pqxx::connection admin(authenticated + " dbname=postgres");
    pqxx::nontransaction q(admin);
    if (q.exec("SELECT 1 FROM pg_database WHERE datname = 'backtestd'").empty())
      q.exec("CREATE DATABASE backtestd");
  }
  conninfo_ = authenticated + " dbname=backtestd";
}

void embedded_postgres::stop() {
  if (owns_server_) {
    owns_server_ = false;
    run({pg_bin + "pg_ctl", "-D", pgdata_, "-m", "fast", "-w", "-t", "60", "stop"},
        server_identity(), socket_dir_ + "/pg_ctl.log");
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

embedded_postgres::~embedded_postgres() {
  try {
    stop();
  } catch (...) {
  }
}

} // namespace bt::db
