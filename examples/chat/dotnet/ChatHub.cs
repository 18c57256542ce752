using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace HubRx.Chat;

/// <summary>
/// The chat hub of examples/chat/shared/contract.ts at <c>/hubs/chat</c>: a token is required (negotiate answers 401
/// without one); the caller's name is the token's <c>sub</c>. Bad input is a HubException whose text reaches the
/// client (detailed errors are off, so nothing else does); the texts are in <see cref="ChatRules"/>.
/// </summary>
[Authorize(Policy = ChatAuth.ChatUserPolicy)]
public sealed class ChatHub(IPresenceTracker presence, IRoomHistory history, IOptions<ChatOptions> options) : Hub
{
    public const string Path = "/hubs/chat";

    private static readonly object JoinedRoomsKey = new();

    private string UserName => Context.UserIdentifier!;

    /// <summary>
    /// The rooms this connection joined (its groups: SignalR does not tell which a connection is in). Made in
    /// OnConnectedAsync, before any invocation; concurrent, since invocations of one connection may run in parallel.
    /// </summary>
    private ConcurrentDictionary<string, bool> JoinedRooms => (ConcurrentDictionary<string, bool>)Context.Items[JoinedRoomsKey]!;

    public override async Task OnConnectedAsync()
    {
        Context.Items[JoinedRoomsKey] = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var first = await presence.ConnectAsync(UserName, Context.ConnectionId);
        await Clients.Caller.SendAsync("presence", await presence.OnlineUsersAsync());
        if (first) await Clients.Others.SendAsync("userJoined", UserName);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (await presence.DisconnectAsync(UserName, Context.ConnectionId)) await Clients.Others.SendAsync("userLeft", UserName);
    }

    /// <summary>The classic: <c>newMessage(user, text)</c> to everyone.</summary>
    public Task SendMessage(string? text) =>
        Clients.All.SendAsync("newMessage", UserName, ChatRules.CheckText(text, ChatRules.MaxMessageLength));

    public string[] Rooms() => [.. ChatRules.Rooms];

    public Task JoinRoom(string? room)
    {
        var name = ChatRules.CheckRoom(room);
        JoinedRooms[name] = true;
        return Groups.AddToGroupAsync(Context.ConnectionId, name);
    }

    public Task LeaveRoom(string? room)
    {
        var name = ChatRules.CheckRoom(room);
        JoinedRooms.TryRemove(name, out _);
        return Groups.RemoveFromGroupAsync(Context.ConnectionId, name);
    }

    /// <summary>The room's recent messages, oldest first. The room is checked when called (an invocation error).</summary>
    public IAsyncEnumerable<RoomMessage> RoomHistory(string? room, CancellationToken cancellationToken) =>
        StreamHistory(ChatRules.CheckRoom(room), cancellationToken);

    private async IAsyncEnumerable<RoomMessage> StreamHistory(string room, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var message in await history.RecentAsync(room))
        {
            if (cancellationToken.IsCancellationRequested) yield break;
            yield return message;
        }
    }

    public async Task<RoomMessage> SendToRoom(string? room, string? text)
    {
        var name = CheckJoined(room);
        return await PostToRoom(name, ChatRules.CheckText(text, ChatRules.MaxMessageLength));
    }

    /// <summary>A long text uploaded in chunks, assembled and sent as one room message.</summary>
    public async Task<RoomMessage> SendLongMessage(string? room, IAsyncEnumerable<string?> chunks)
    {
        var name = CheckJoined(room);
        var text = new System.Text.StringBuilder();
        await foreach (var chunk in chunks)
        {
            text.Append(chunk);
            if (text.Length > ChatRules.MaxLongMessageLength)
                throw new HubException(ChatRules.TextTooLong(ChatRules.MaxLongMessageLength));
        }

        return await PostToRoom(name, ChatRules.CheckText(text.ToString(), ChatRules.MaxLongMessageLength));
    }

    /// <summary>
    /// Asks the recipient's latest connection for a read receipt (the <c>directMessage</c> client result); no answer
    /// within the receipt timeout, no handler, a failing handler or a recipient gone is <c>read: false</c>.
    /// </summary>
    public async Task<ReadReceipt> SendDirect(string? to, string? text)
    {
        var recipient = to ?? "";
        var connectionId = await presence.LatestConnectionAsync(recipient);
        if (connectionId is null)
        {
            throw new HubException(ChatRules.DemoUsers.Contains(recipient, StringComparer.Ordinal)
                ? ChatRules.OfflineUser(recipient)
                : ChatRules.UnknownUser(recipient));
        }

        var body = ChatRules.CheckText(text, ChatRules.MaxMessageLength);
        var read = false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Context.ConnectionAborted);
        timeout.CancelAfter(options.Value.ReceiptTimeoutMs);
        try
        {
            read = await Clients.Client(connectionId).InvokeAsync<bool>("directMessage", UserName, body, timeout.Token);
        }
        catch (Exception)
        {
            // Every way of not getting `true`: timed out (OperationCanceledException), no handler or a failing one
            // (HubException "Client didn't provide a result."), the recipient left (IOException), an answer that is not
            // a bool (a binding error): not read.
        }

        return new ReadReceipt(recipient, read, ChatRules.IsoTime(DateTimeOffset.UtcNow));
    }

    public Task<string[]> OnlineUsers() => presence.OnlineUsersAsync();

    private string CheckJoined(string? room)
    {
        var name = ChatRules.CheckRoom(room);
        if (!JoinedRooms.ContainsKey(name)) throw new HubException(ChatRules.NotJoined(name));
        return name;
    }

    private async Task<RoomMessage> PostToRoom(string room, string text)
    {
        var message = await history.AddAsync(room, UserName, text);
        await Clients.Group(room).SendAsync("roomMessage", message);
        return message;
    }
}
