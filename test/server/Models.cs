namespace HubRx.ReferenceServer;

public sealed class CustomObject
{
    public string Name { get; set; } = "";

    public int Value { get; set; }
}

public sealed class ComplexObject
{
    public string String { get; set; } = "";

    public int[] IntArray { get; set; } = [];

    public byte[] ByteArray { get; set; } = [];

    public Guid Guid { get; set; }

    public DateTime DateTime { get; set; }
}
