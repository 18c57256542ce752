using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubRx.Chat;

/// <summary>
/// Presence shared by every instance, in Redis: each user's connections (a sorted set, by the order they opened), the
/// users online (a set), and each instance's connections (a set), so that the connections of an instance that died
/// without closing them (killed, crashed) can be forgotten by another one. Every change is one Lua script, so that
/// "first connection" and "last connection" are decided once across instances.
/// </summary>
public sealed class RedisPresenceTracker(IConnectionMultiplexer redis, ChatInstance instance) : IPresenceTracker
{
    // KEYS: the user's connections, the users online, this instance's connections, the counter. ARGV: the connection id,
    // the user, the instance's entry for it. Answers 1 when the user was not online.
    private const string ConnectScript = """
        local order = redis.call('INCR', KEYS[4])
        redis.call('ZADD', KEYS[1], order, ARGV[1])
        redis.call('SADD', KEYS[3], ARGV[3])
        return redis.call('SADD', KEYS[2], ARGV[2])
        """;

    // The same keys. Answers 1 when it was the user's last connection (once: a connection already forgotten answers 0).
    private const string DisconnectScript = """
        redis.call('SREM', KEYS[3], ARGV[3])
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
        if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
        redis.call('DEL', KEYS[1])
        return redis.call('SREM', KEYS[2], ARGV[2])
        """;

    private readonly IDatabase _db = redis.GetDatabase();

    public async Task<bool> ConnectAsync(string user, string connectionId) =>
        (long)await _db.ScriptEvaluateAsync(ConnectScript, Keys(user), Values(user, connectionId)) == 1;

    public async Task<bool> DisconnectAsync(string user, string connectionId) =>
        (long)await _db.ScriptEvaluateAsync(DisconnectScript, Keys(user), Values(user, connectionId)) == 1;

    public async Task<string[]> OnlineUsersAsync()
    {
        var users = (await _db.SetMembersAsync(instance.Key("presence:online"))).Select(user => (string)user!).ToArray();
        Array.Sort(users, StringComparer.Ordinal);
        return users;
    }

    public async Task<string?> LatestConnectionAsync(string user)
    {
        var latest = await _db.SortedSetRangeByRankAsync(UserKey(user), -1, -1);
        return latest.Length == 0 ? null : (string?)latest[0];
    }

    private RedisKey UserKey(string user) => instance.Key("presence:user:" + user);

    private RedisKey[] Keys(string user) =>
        [UserKey(user), instance.Key("presence:online"), instance.ConnectionsKey, instance.Key("presence:order")];

    // The instance's entry: the connection id first (ids never hold a line break; user names might).
    private static RedisValue[] Values(string user, string connectionId) => [connectionId, user, connectionId + "\n" + user];
}

/// <summary>
/// This process among the instances: its name, and its identity in Redis (the name and a random run id, so that an
/// instance restarted under the same name is a new one and the connections of the old one are forgotten).
/// </summary>
public sealed class ChatInstance(IOptions<ChatOptions> options)
{
    public string Name { get; } = options.Value.Instance;
    public string Id { get; } = $"{options.Value.Instance}/{Guid.NewGuid():N}";
    private readonly string _prefix = "{" + options.Value.RedisPrefix + "}:";

    /// <summary>A key under the app's prefix; the prefix is a hash tag, so that the scripts' keys share a cluster slot.</summary>
    public RedisKey Key(string name) => _prefix + name;

    public RedisKey ConnectionsKey => Key("presence:instance:" + Id);
}

/// <summary>
/// Keeps this instance's heartbeat in Redis and forgets the connections of instances whose heartbeat stopped: their
/// users who have no other connection left get <c>userLeft</c> (sent once, by whichever instance forgot them).
/// </summary>
public sealed class InstanceHeartbeat(
    IConnectionMultiplexer redis,
    ChatInstance instance,
    IHubContext<ChatHub> hub,
    IOptions<ChatOptions> options,
    ILogger<InstanceHeartbeat> logger) : BackgroundService
{
    // KEYS: the dead instance's connections, the users online, the instances. ARGV: the key prefix of a user's
    // connections, the dead instance's id. Answers the users who went offline.
    private const string ForgetScript = """
        local left = {}
        for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          local cut = string.find(entry, '\n', 1, true)
          local user = string.sub(entry, cut + 1)
          local key = ARGV[1] .. user
          redis.call('ZREM', key, string.sub(entry, 1, cut - 1))
          if redis.call('ZCARD', key) == 0 and redis.call('SREM', KEYS[2], user) == 1 then
            redis.call('DEL', key)
            table.insert(left, user)
          end
        end
        redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[3], ARGV[2])
        return left
        """;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var timeout = TimeSpan.FromMilliseconds(options.Value.InstanceTimeoutMs);
        var db = redis.GetDatabase();
        var instances = instance.Key("presence:instances");
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await db.StringSetAsync(instance.Key("presence:alive:" + instance.Id), 1, timeout);
                await db.SetAddAsync(instances, instance.Id);
                foreach (var other in await db.SetMembersAsync(instances))
                {
                    var id = (string)other!;
                    if (id == instance.Id || await db.KeyExistsAsync(instance.Key("presence:alive:" + id))) continue;
                    var left = (RedisResult[])(await db.ScriptEvaluateAsync(
                        ForgetScript,
                        [instance.Key("presence:instance:" + id), instance.Key("presence:online"), instances],
                        [(string)instance.Key("presence:user:")!, id]))!;
                    logger.LogInformation("Instance {Instance} stopped: its connections are forgotten ({Count} users left)", id, left.Length);
                    foreach (var user in left) await hub.Clients.All.SendAsync("userLeft", (string)user!, stopping);
                }
            }
            catch (Exception error) when (error is RedisException or TimeoutException)
            {
                logger.LogWarning("Presence heartbeat failed: {Message}", error.Message);
            }

            try
            {
                await Task.Delay(timeout / 3, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A clean stop: the connections closing now are forgotten one by one; the heartbeat ends at once.
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(instance.Key("presence:alive:" + instance.Id));
        }
        catch (RedisException)
        {
        }
    }
}
