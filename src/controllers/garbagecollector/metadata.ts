// The Accept headers of client-go's metadata client: LIST and WATCH as meta.k8s.io
// PartialObjectMetadata(List), with plain JSON as the fallback the server may pick. The collector
// needs nothing but metadata, and 150k pods' specs are a lot of bytes to move and parse
// (RESTClient.withAccept makes the view that sends them).
export const ACCEPT_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';
export const ACCEPT_METADATA = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json';
