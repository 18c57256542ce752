using System.Security.Cryptography;
using System.Text.Json;
using StackExchange.Redis;

namespace HubRx.Chat;

/// <summary>Each room's recent messages (at most <see cref="ChatRules.HistoryLength"/>), behind an interface like presence.</summary>
public interface IRoomHistory
{
    /// <summary>Records a message from <paramref name="user"/> (a new id, sent now) and returns it.</summary>
    Task<RoomMessage> AddAsync(string room, string user, string text);

    /// <summary>The room's recent messages, oldest first.</summary>
    Task<IReadOnlyList<RoomMessage>> RecentAsync(string room);
}

/// <summary>History in this process's memory.</summary>
public sealed class InMemoryRoomHistory : IRoomHistory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<RoomMessage>> _rooms = new(StringComparer.Ordinal);
    // Ids unique per server run: a random run prefix (a restarted server does not repeat ids) and a counter.
    private readonly string _run = NewRun();
    private long _count;

    public Task<RoomMessage> AddAsync(string room, string user, string text)
    {
        lock (_lock)
        {
            var message = new RoomMessage($"{_run}-{++_count}", room, user, text, ChatRules.IsoTime(DateTimeOffset.UtcNow));
            if (!_rooms.TryGetValue(room, out var messages)) _rooms[room] = messages = new Queue<RoomMessage>();
            messages.Enqueue(message);
            while (messages.Count > ChatRules.HistoryLength) messages.Dequeue();
            return Task.FromResult(message);
        }
    }

    public Task<IReadOnlyList<RoomMessage>> RecentAsync(string room)
    {
        lock (_lock)
        {
            IReadOnlyList<RoomMessage> messages = _rooms.TryGetValue(room, out var queue) ? queue.ToArray() : [];
            return Task.FromResult(messages);
        }
    }

    /// <summary>A random run prefix of 6 characters.</summary>
    internal static string NewRun()
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        return string.Create(6, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        });
    }
}

/// <summary>
/// History shared by every instance, in Redis: a list per room, trimmed to <see cref="ChatRules.HistoryLength"/> by the
/// same script that appends (one round trip). Ids stay unique across instances: each instance has its own random run.
/// </summary>
public sealed class RedisRoomHistory(IConnectionMultiplexer redis, ChatInstance instance) : IRoomHistory
{
    private const string AppendScript = """
        redis.call('RPUSH', KEYS[1], ARGV[1])
        redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IDatabase _db = redis.GetDatabase();
    private readonly string _run = InMemoryRoomHistory.NewRun();
    private long _count;

    public async Task<RoomMessage> AddAsync(string room, string user, string text)
    {
        var message = new RoomMessage($"{_run}-{Interlocked.Increment(ref _count)}", room, user, text, ChatRules.IsoTime(DateTimeOffset.UtcNow));
        await _db.ScriptEvaluateAsync(AppendScript, [Key(room)], [JsonSerializer.Serialize(message, Json), ChatRules.HistoryLength]);
        return message;
    }

    public async Task<IReadOnlyList<RoomMessage>> RecentAsync(string room) =>
        [.. (await _db.ListRangeAsync(Key(room))).Select(item => JsonSerializer.Deserialize<RoomMessage>((string)item!, Json)!)];

    private RedisKey Key(string room) => instance.Key("history:" + room);
}
