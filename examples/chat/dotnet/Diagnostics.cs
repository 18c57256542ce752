using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace HubRx.Chat;

/// <summary>
/// What this instance served, for tests and benches that check scale-out from the server's side (<c>--diagnostics</c>;
/// never in production): every request to the hub (negotiate, WebSocket, Server-Sent Events, poll, send, DELETE) with
/// the connection it named and the status it got, the hub connections with their transport, and the hub methods
/// invoked. <c>GET /api/diagnostics</c> answers it as JSON; <c>?after=N</c> leaves out the first N requests.
/// </summary>
public sealed class ChatDiagnostics
{
    private const int MaxRequests = 100_000;
    private readonly ConcurrentQueue<HubRequest> _requests = new();
    private long _requestCount;
    // Negotiate's connection tokens, to name the connection of a transport request (which carries only the token).
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HubConnectionRecord> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _invocations = new(StringComparer.Ordinal);

    /// <summary>A request to the hub path: what it was, the connection named, and its status once answered.</summary>
    public sealed class HubRequest
    {
        public long Index { get; init; }
        public required string Kind { get; init; }
        public string? ConnectionId { get; set; }
        /// <summary>Whether this instance knew the connection token (false: answered 404 "No Connection with that ID").</summary>
        public bool? KnownToken { get; set; }
        public int? Status { get; set; }
    }

    public sealed class HubConnectionRecord
    {
        public required string ConnectionId { get; init; }
        public string? User { get; init; }
        public string? Transport { get; init; }
        public bool Open { get; set; } = true;
        public long Invocations;
    }

    /// <summary>The middleware recording requests to <paramref name="hubPath"/> (before SignalR's own endpoint).</summary>
    public async Task Record(HttpContext context, RequestDelegate next, string hubPath)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments(hubPath, StringComparison.OrdinalIgnoreCase, out var rest))
        {
            await next(context);
            return;
        }

        var negotiate = rest.Equals("/negotiate", StringComparison.OrdinalIgnoreCase);
        var request = new HubRequest { Index = Interlocked.Increment(ref _requestCount), Kind = Kind(context.Request, negotiate) };
        var token = context.Request.Query["id"].ToString();
        if (token.Length > 0)
        {
            request.KnownToken = _tokens.TryGetValue(token, out var id);
            request.ConnectionId = id;
        }

        _requests.Enqueue(request);
        while (_requests.Count > MaxRequests) _requests.TryDequeue(out _);
        if (!negotiate)
        {
            try
            {
                await next(context);
            }
            finally
            {
                request.Status = context.Response.StatusCode;
            }

            return;
        }

        // Negotiate's answer names the connection: read it on its way out.
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
            request.Status = context.Response.StatusCode;
        }

        if (context.Response.StatusCode == 200 && buffer.Length > 0)
        {
            try
            {
                using var answer = JsonDocument.Parse(buffer.ToArray());
                if (answer.RootElement.TryGetProperty("connectionId", out var id) && id.GetString() is { } connectionId)
                {
                    request.ConnectionId = connectionId;
                    var connectionToken = answer.RootElement.TryGetProperty("connectionToken", out var t) ? t.GetString() : null;
                    _tokens[connectionToken ?? connectionId] = connectionId;
                }
            }
            catch (JsonException)
            {
                // A redirect or an error: no connection.
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original);
    }

    private static string Kind(HttpRequest request, bool negotiate)
    {
        if (negotiate) return "negotiate";
        // The upgrade header, not IsWebSocketRequest: the WebSockets middleware runs after this one.
        if (request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)) return "webSocket";
        return request.Method switch
        {
            "GET" => request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal) ? "serverSentEvents" : "poll",
            "POST" => "send",
            "DELETE" => "delete",
            _ => request.Method,
        };
    }

    public void Connected(HubCallerContext context)
    {
        var transport = context.Features.Get<IHttpTransportFeature>()?.TransportType.ToString();
        _connections[context.ConnectionId] = new HubConnectionRecord
        {
            ConnectionId = context.ConnectionId,
            User = context.UserIdentifier,
            Transport = transport,
        };
    }

    public void Disconnected(HubCallerContext context)
    {
        if (_connections.TryGetValue(context.ConnectionId, out var record)) record.Open = false;
    }

    public void Invoked(HubCallerContext context, string method)
    {
        _invocations.AddOrUpdate(method, 1, (_, count) => count + 1);
        if (_connections.TryGetValue(context.ConnectionId, out var record)) Interlocked.Increment(ref record.Invocations);
    }

    public object Snapshot(ChatOptions options, long after)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new
        {
            instance = options.Instance,
            pid = Environment.ProcessId,
            requests = _requests.Where(r => r.Index > after).ToArray(),
            connections = _connections.Values.Select(c => new { c.ConnectionId, c.User, c.Transport, c.Open, invocations = Interlocked.Read(ref c.Invocations) }).ToArray(),
            openConnections = _connections.Values.Count(c => c.Open),
            invocations = _invocations.ToDictionary(pair => pair.Key, pair => pair.Value),
            memory = new
            {
                workingSetBytes = process.WorkingSet64,
                gcHeapBytes = GC.GetTotalMemory(forceFullCollection: true),
            },
        };
    }

    /// <summary>Forgets closed connections and old requests (a bench between its phases).</summary>
    public void Reset()
    {
        _requests.Clear();
        foreach (var (id, record) in _connections)
            if (!record.Open) _connections.TryRemove(id, out _);
        _invocations.Clear();
    }
}

/// <summary>Feeds <see cref="ChatDiagnostics"/> with the hub's connections and invocations.</summary>
public sealed class DiagnosticsHubFilter(ChatDiagnostics diagnostics) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        diagnostics.Invoked(invocationContext.Context, invocationContext.HubMethodName);
        return await next(invocationContext);
    }

    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        diagnostics.Connected(context.Context);
        return next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        diagnostics.Disconnected(context.Context);
        await next(context, exception);
    }
}
