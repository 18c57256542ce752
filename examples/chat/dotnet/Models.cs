using MessagePack;

namespace HubRx.Chat;

// The contract's types. JSON: SignalR's and minimal APIs' camelCase. MessagePack: the same names as string keys
// (the protocol would otherwise write the C# property names).

/// <summary>A message sent to a room.</summary>
[MessagePackObject]
public sealed record RoomMessage(
    [property: Key("id")] string Id,
    [property: Key("room")] string Room,
    [property: Key("user")] string User,
    [property: Key("text")] string Text,
    [property: Key("sentAt")] string SentAt);

/// <summary>What a direct message's sender learns: whether the recipient's client showed it.</summary>
[MessagePackObject]
public sealed record ReadReceipt(
    [property: Key("to")] string To,
    [property: Key("read")] bool Read,
    [property: Key("at")] string At);

/// <summary>The answer of <c>POST /api/token</c> and <c>GET /api/token</c>.</summary>
public sealed record TokenResponse(string Token, string ExpiresAt);
