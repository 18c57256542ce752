namespace HubRx.Chat;

/// <summary>
/// Who is online: connections counted per user. Asynchronous so that a shared store (Redis, for several server
/// instances) can implement it; <see cref="InMemoryPresenceTracker"/> serves one instance.
/// </summary>
public interface IPresenceTracker
{
    /// <summary>Counts a connection; true when it is the user's first.</summary>
    Task<bool> ConnectAsync(string user, string connectionId);

    /// <summary>Forgets a connection; true when it was the user's last.</summary>
    Task<bool> DisconnectAsync(string user, string connectionId);

    /// <summary>The users online, sorted by ordinal comparison.</summary>
    Task<string[]> OnlineUsersAsync();

    /// <summary>The user's most recently opened connection, or null when the user is offline.</summary>
    Task<string?> LatestConnectionAsync(string user);
}

/// <summary>Presence in this process's memory.</summary>
public sealed class InMemoryPresenceTracker : IPresenceTracker
{
    private readonly Lock _lock = new();
    // Each user's connection ids, oldest first.
    private readonly Dictionary<string, List<string>> _users = new(StringComparer.Ordinal);

    public Task<bool> ConnectAsync(string user, string connectionId)
    {
        lock (_lock)
        {
            if (_users.TryGetValue(user, out var connections))
            {
                if (!connections.Contains(connectionId)) connections.Add(connectionId);
                return Task.FromResult(false);
            }

            _users[user] = [connectionId];
            return Task.FromResult(true);
        }
    }

    public Task<bool> DisconnectAsync(string user, string connectionId)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(user, out var connections)) return Task.FromResult(false);
            connections.Remove(connectionId);
            if (connections.Count > 0) return Task.FromResult(false);
            _users.Remove(user);
            return Task.FromResult(true);
        }
    }

    public Task<string[]> OnlineUsersAsync()
    {
        lock (_lock)
        {
            var users = _users.Keys.ToArray();
            Array.Sort(users, StringComparer.Ordinal);
            return Task.FromResult(users);
        }
    }

    public Task<string?> LatestConnectionAsync(string user)
    {
        lock (_lock)
        {
            return Task.FromResult(_users.TryGetValue(user, out var connections) ? connections[^1] : null);
        }
    }
}
