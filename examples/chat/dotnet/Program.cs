using HubRx.Chat;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

// The hubrx chat example's ASP.NET Core server (README.md). Flags: see ChatArguments.cs.
//   dotnet HubRx.ChatServer.dll [--port 5000] [--static dir] [--token-lifetime 900] [--receipt-timeout-ms 10000]
// prints "Now listening on: http://127.0.0.1:<port>" when ready.

ChatArguments arguments;
try
{
    arguments = ChatArguments.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(ChatArguments.Usage);
    return 1;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = [.. arguments.Rest],
    ContentRootPath = AppContext.BaseDirectory,
});

// Quiet, except for the "Now listening on:" line harnesses wait for (override: --Logging:LogLevel:Default=Debug).
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));

if (arguments.Port is not null || arguments.Host is not null
    || (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null))
{
    builder.WebHost.UseUrls($"http://{arguments.Host ?? "127.0.0.1"}:{arguments.Port ?? 5000}");
}

var chat = builder.Configuration.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions();
if (arguments.TokenLifetimeSeconds is { } lifetime) chat.TokenLifetimeSeconds = lifetime;
if (arguments.ReceiptTimeoutMs is { } receiptTimeout) chat.ReceiptTimeoutMs = receiptTimeout;
if (arguments.Rooms is { } rooms) chat.Rooms = rooms;
if (arguments.Redis is { } redis) chat.Redis = redis;
if (arguments.RedisPrefix is { } redisPrefix) chat.RedisPrefix = redisPrefix;
if (arguments.Instance is { } instance) chat.Instance = instance;
if (arguments.InstanceTimeoutMs is { } instanceTimeout) chat.InstanceTimeoutMs = instanceTimeout;
if (arguments.StatefulReconnect) chat.StatefulReconnect = true;
if (arguments.Diagnostics) chat.Diagnostics = true;
if (arguments.ServiceUrl is { } serviceUrl) chat.ServiceUrl = serviceUrl;
if (arguments.ServiceKey is { } serviceKey) chat.ServiceKey = serviceKey;
if (chat.Validate() is { } invalid)
{
    Console.Error.WriteLine(invalid);
    return 1;
}

ChatRules.UseRooms(chat.Rooms);
builder.Services.AddSingleton(Options.Create(chat));
var diagnostics = new ChatDiagnostics();
builder.Services.AddSingleton(diagnostics);
builder.Services.AddSingleton<IPresenceTracker, InMemoryPresenceTracker>();
builder.Services.AddSingleton<IRoomHistory, InMemoryRoomHistory>();
builder.Services.AddChatAuthentication(chat);
var signalR = builder.Services
    .AddSignalR(options =>
    {
        if (chat.Diagnostics) options.AddFilter<DiagnosticsHubFilter>();
    })
    .AddMessagePackProtocol()
    // SendDirect waits for another client's answer (a client result needs more than 1); the caller's other calls go on.
    .AddHubOptions<ChatHub>(options => options.MaximumParallelInvocationsPerClient = 4);
if (chat.Diagnostics) builder.Services.AddSingleton<DiagnosticsHubFilter>();
if (chat.Redis is not null)
{
    try
    {
        // Replaces the in-memory presence and history registered above (the last registration wins).
        signalR.AddChatRedis(builder.Services, chat);
    }
    catch (RedisConnectionException error)
    {
        Console.Error.WriteLine($"Could not connect to Redis ({chat.Redis}): {error.Message}");
        return 1;
    }
}

var app = builder.Build();

if (chat.Redis is not null || chat.Diagnostics) app.UseInstanceName(chat);
if (chat.Diagnostics)
{
    app.Use((context, next) => diagnostics.Record(context, next, ChatHub.Path));
    app.MapChatDiagnostics(diagnostics, chat);
}

// CORS for pages served elsewhere (a dev server): reflect any Origin with credentials; answer preflights with 204.
app.Use((context, next) =>
{
    var request = context.Request;
    var headers = context.Response.Headers;
    if (!string.IsNullOrEmpty(request.Headers.Origin))
    {
        headers.AccessControlAllowOrigin = request.Headers.Origin;
        headers.AccessControlAllowCredentials = "true";
        headers.AccessControlExposeHeaders = "WWW-Authenticate";
        headers.Vary = "Origin";
        if (!string.IsNullOrEmpty(request.Headers.AccessControlRequestMethod))
            headers.AccessControlAllowMethods = "GET, POST, DELETE, OPTIONS";
        if (!string.IsNullOrEmpty(request.Headers.AccessControlRequestHeaders))
            headers.AccessControlAllowHeaders = request.Headers.AccessControlRequestHeaders;
    }

    if (HttpMethods.IsOptions(request.Method) && !string.IsNullOrEmpty(request.Headers.AccessControlRequestMethod))
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    return next(context);
});

// The built front-ends (--static): index.html for folders, no-cache (they are rebuilt in place).
foreach (var (prefix, directory) in arguments.Static.OrderByDescending(mount => mount.Prefix.Length))
{
    var files = new PhysicalFileProvider(directory);
    app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = prefix });
    app.UseStaticFiles(new StaticFileOptions
    {
        FileProvider = files,
        RequestPath = prefix,
        OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
    });
}

app.UseAuthentication();
app.UseAuthorization();

if (chat.ServiceUrl is null)
    app.MapHub<ChatHub>(ChatHub.Path, options => options.AllowStatefulReconnects = chat.StatefulReconnect);
else
    app.MapServiceNegotiate(ChatHub.Path, chat);
app.MapChatLogin();

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"Demo users: {string.Join(", ", ChatRules.DemoUsers)} (password: {ChatRules.DemoPassword})"));

if (arguments.ExitOnStdinEof)
{
    // Started by a test harness: exit when it goes away (our stdin closes), even if it could not stop us.
    _ = Task.Run(async () =>
    {
        var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        try
        {
            while (await stdin.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        app.Lifetime.StopApplication();
    });
}

app.Run();
return 0;
