using Microsoft.AspNetCore.SignalR;

namespace HubRx.Chat;

/// <summary>
/// The contract's constants (examples/chat/shared/contract.ts) and the error texts, word for word those of the mock
/// server's chat preset (mock-server/src/presets/chat.ts): the conformance suites compare them on both servers.
/// </summary>
public static class ChatRules
{
    /// <summary>The rooms: the contract's three unless <see cref="ChatOptions.Rooms"/> says otherwise (set once, at startup).</summary>
    public static string[] Rooms { get; private set; } = ["general", "random", "dotnet"];

    /// <summary>Sets the rooms from the settings, before the app starts.</summary>
    public static void UseRooms(string[] rooms) => Rooms = [.. rooms];
    public const int MaxMessageLength = 2000;
    public const int MaxLongMessageLength = 100_000;
    public const int HistoryLength = 50;
    public static readonly string[] DemoUsers = ["alice", "bob", "carol"];
    public const string DemoPassword = "hubrx-demo";

    public const string EmptyText = "Message text is empty.";

    public static string TextTooLong(int max) => $"Message text is longer than {max} characters.";

    public static string UnknownRoom(string room) => $"Unknown room '{Quote(room)}'.";

    public static string NotJoined(string room) => $"Join the room '{Quote(room)}' before sending to it.";

    public static string UnknownUser(string user) => $"Unknown user '{Quote(user)}'.";

    public static string OfflineUser(string user) => $"User '{Quote(user)}' is not online.";

    /// <summary>The text, or a HubException when it is blank (char.IsWhiteSpace only) or longer than <paramref name="max"/>.</summary>
    public static string CheckText(string? text, int max)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new HubException(EmptyText);
        if (text.Length > max) throw new HubException(TextTooLong(max));
        return text;
    }

    /// <summary>The room's name, or a HubException when it is not one of <see cref="Rooms"/>.</summary>
    public static string CheckRoom(string? room)
    {
        var name = room ?? "";
        if (!Rooms.Contains(name, StringComparer.Ordinal)) throw new HubException(UnknownRoom(name));
        return name;
    }

    /// <summary>A client's value quoted in an error: at most 64 UTF-16 code units, then an ellipsis.</summary>
    private static string Quote(string value) => value.Length > 64 ? value[..64] + "…" : value;

    /// <summary>ISO 8601 in UTC with milliseconds, as JavaScript's <c>toISOString()</c> writes it.</summary>
    public static string IsoTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
