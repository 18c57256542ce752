using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace HubRx.ReferenceServer;

/// <summary>
/// The test hub of /work/shared/test-hub.md, served on <c>/testhub</c> and <c>/testhub-nowebsockets</c>.
/// The first group mirrors the hub of ASP.NET Core's own TypeScript functional tests, the second is ours.
/// </summary>
public sealed class TestHub(IHubContext<TestHub> hubContext) : Hub
{
    // ---- as in the official functional tests ------------------------------------------------------------------

    public string Echo(string message) => message;

    public string GetCallerConnectionId() => Context.ConnectionId;

    /// <summary>The <c>numRedirects</c> query value of the connection's request (0 when absent).</summary>
    public int GetNumRedirects()
    {
        var value = Request.Query["numRedirects"].ToString();
        return int.TryParse(value, out var redirects) ? redirects : 0;
    }

    public void ThrowException(string message) => throw new InvalidOperationException(message);

    public Task InvokeWithString(string message) => Clients.Caller.SendAsync("Message", message);

    public Task SendCustomObject(CustomObject customObject) => Clients.Caller.SendAsync("CustomObject", customObject);

    public ChannelReader<string> Stream()
    {
        var channel = Channel.CreateUnbounded<string>();
        channel.Writer.TryWrite("a");
        channel.Writer.TryWrite("b");
        channel.Writer.TryWrite("c");
        channel.Writer.Complete();
        return channel.Reader;
    }

    /// <summary>Never yields; when the client cancels the stream it receives <c>StreamCanceled()</c>.</summary>
    public ChannelReader<string> InfiniteStream(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<string>();
        var connectionId = Context.ConnectionId;
        // The hub instance is gone by the time the stream is cancelled, so go through the hub context.
        cancellationToken.Register(() => _ = hubContext.Clients.Client(connectionId).SendAsync("StreamCanceled"));
        return channel.Reader;
    }

    /// <summary>Upload: the concatenated items. An upload completed with error E fails with <c>HubException: E</c>.</summary>
    public async Task<string> StreamingConcat(ChannelReader<string> stream)
    {
        var builder = new StringBuilder();
        await foreach (var item in stream.ReadAllAsync())
        {
            builder.Append(item);
        }

        return builder.ToString();
    }

    public ChannelReader<int> EmptyStream()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.Complete();
        return channel.Reader;
    }

    public ChannelReader<string> StreamThrowException(string message) => throw new InvalidOperationException(message);

    public string GetActiveTransportName() =>
        Context.Features.Get<IHttpTransportFeature>()?.TransportType.ToString()
        ?? throw new InvalidOperationException("No transport feature.");

    public ComplexObject EchoComplexObject(ComplexObject complexObject) => complexObject;

    public ComplexObject SendComplexObject() => new()
    {
        String = "hello world",
        IntArray = [1, 2, 3],
        ByteArray = [1, 2, 3],
        Guid = new Guid("00010203-0405-0607-0706-050403020100"),
        DateTime = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    public string? GetContentTypeHeader() => NullIfEmpty(Request.Headers.ContentType);

    public string? GetHeader(string name) => NullIfEmpty(Request.Headers[name]);

    public string? GetCookie(string name) => Request.Cookies.TryGetValue(name, out var value) ? value : null;

    // ---- added by hubrx ----------------------------------------------------------------------------------------

    public int Add(int a, int b) => a + b;

    /// <summary>Returns <paramref name="ms"/> after waiting that long; gives up when the connection goes away.</summary>
    public async Task<int> Delay(int ms)
    {
        await Task.Delay(ms, Context.ConnectionAborted);
        return ms;
    }

    /// <summary>Items 0 … count-1, one every <paramref name="intervalMs"/> ms (0: as fast as possible).</summary>
    public async IAsyncEnumerable<int> Counter(
        int count,
        int intervalMs,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && intervalMs > 0)
            {
                await Task.Delay(intervalMs, cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    /// <summary>Upload: the sum of the items.</summary>
    public async Task<int> Sum(IAsyncEnumerable<int> values)
    {
        var sum = 0;
        await foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }

    /// <summary>Sends <c>Tick(i, payload)</c> to the caller <paramref name="count"/> times, as fast as the transport allows.</summary>
    public async Task Blast(int count, int payloadSize)
    {
        var payload = new string('x', Math.Max(0, payloadSize));
        var caller = Clients.Caller;
        for (var i = 0; i < count; i++)
        {
            await caller.SendAsync("Tick", i, payload, Context.ConnectionAborted);
        }
    }

    public Task JoinGroup(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task LeaveGroup(string group) => Groups.RemoveFromGroupAsync(Context.ConnectionId, group);

    public Task SendToGroup(string group, string message) => Clients.Group(group).SendAsync("GroupMessage", group, message);

    public Task Broadcast(string message) => Clients.All.SendAsync("Broadcast", message);

    public Task SendToOthers(string message) => Clients.Others.SendAsync("OthersMessage", message);

    public Task SendToUser(string user, string message) => Clients.User(user).SendAsync("UserMessage", message);

    public string? GetUserIdentifier() => Context.UserIdentifier;

    /// <summary>Invokes <c>ClientResult(prompt)</c> on the caller and returns its answer (a client result).</summary>
    public Task<string> AskClient(string prompt) =>
        Clients.Caller.InvokeAsync<string>("ClientResult", prompt, Context.ConnectionAborted);

    public void Abort() => Context.Abort();

    // ------------------------------------------------------------------------------------------------------------

    private HttpRequest Request =>
        Context.GetHttpContext()?.Request ?? throw new InvalidOperationException("No HTTP request for this connection.");

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 0 ? null : values.ToString();
}
