using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace HubRx.ReferenceServer;

/// <summary>Data protection keys kept in memory: nothing in this server needs them to outlive the process.</summary>
public sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_elements)
        {
            return _elements.Select(element => new XElement(element)).ToList();
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_elements)
        {
            _elements.Add(new XElement(element));
        }
    }
}
