import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process with the script host's descriptors: stdin from /dev/null, stdout and stderr to pipes, the bridge
/// on descriptors 3 (server → host) and 4 (host → server).
struct ScriptProcess: Sendable {
    let pid: pid_t
    /// The server's ends: write frames to `toHost`, read frames from `fromHost`, read the host's output.
    let toHost: Int32
    let fromHost: Int32
    let stdout: Int32
    let stderr: Int32

    /// Starts `executable` (searched on `PATH` when it has no slash) with `arguments` and `environment` additions.
    static func spawn(executable: String, arguments: [String], environment: [String: String]) throws -> ScriptProcess {
        var pipes: [(read: Int32, write: Int32)] = []
        do {
            for _ in 0..<4 { pipes.append(try makePipe()) }
        } catch {
            // Out of descriptors part-way: close what was opened.
            for pipe in pipes { _ = (close(pipe.read), close(pipe.write)) }
            throw error
        }
        let (toHost, fromHost, out, err) = (pipes[0], pipes[1], pipes[2], pipes[3])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        posix_spawn_file_actions_adddup2(&actions, toHost.read, 3)
        posix_spawn_file_actions_adddup2(&actions, fromHost.write, 4)
        // Nothing else: SwiftNIO's sockets are not close-on-exec, and a script host holding a copy of a player's
        // connection would keep it open after the server closed it.
        closeFrom(5, in: &actions)

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        // The child's ends belong to the child now.
        for fd in [toHost.read, fromHost.write, out.write, err.write] { close(fd) }
        guard status == 0 else {
            for fd in [toHost.write, fromHost.read, out.read, err.read] { close(fd) }
            throw ScriptError(.nodeMissing, "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return ScriptProcess(
            pid: pid,
            toHost: toHost.write,
            fromHost: fromHost.read,
            stdout: out.read,
            stderr: err.read
        )
    }

    /// Waits for the process to exit and returns its exit status (128 + signal number when killed). Blocking.
    func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 1 }
        }
        if status & 0x7F == 0 { return (status >> 8) & 0xFF }
        return 128 + (status & 0x7F)
    }

    /// Sends SIGKILL.
    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later; looked up at run time, as Swift's Glibc
    /// module does not declare it): the child closes every descriptor from `lowest` up.
    private static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw ScriptError(.hostFailed, "pipe failed: \(String(cString: strerror(errno)))")
        }
        // Not inherited by other children; the spawned child gets its ends through dup2, which clears the flag.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }
}
