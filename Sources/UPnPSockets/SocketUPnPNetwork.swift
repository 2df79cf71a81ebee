// Placeholder until the socket implementation lands; keeps the target building.
import UPnP
