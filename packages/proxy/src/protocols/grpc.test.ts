// Kong's HTTP → gRPC status table (kong/pdk/response.lua) and its fallbacks by status class.
import { describe, expect, it } from 'vitest'
import { grpcStatusFor, isGrpcRequest } from './grpc.ts'

describe('grpcStatusFor', () => {
  it("maps Kong's listed statuses", () => {
    const table: Array<[number, number]> = [[200, 0], [400, 3], [401, 16], [403, 7], [404, 5], [409, 6], [429, 8], [499, 1], [500, 13], [501, 12], [503, 14], [504, 4]]
    for (const [http, grpc] of table) expect(grpcStatusFor(http), String(http)).toBe(grpc)
  })
  it('falls back by class: 5xx Internal, 4xx InvalidArgument, 2xx OK, else Unknown', () => {
    expect(grpcStatusFor(502)).toBe(13)
    expect(grpcStatusFor(413)).toBe(3)
    expect(grpcStatusFor(204)).toBe(0)
    expect(grpcStatusFor(302)).toBe(2)
  })
})

describe('isGrpcRequest', () => {
  it('is a content-type starting with application/grpc', () => {
    expect(isGrpcRequest({ 'content-type': 'application/grpc' })).toBe(true)
    expect(isGrpcRequest({ 'content-type': 'application/grpc+proto' })).toBe(true)
    expect(isGrpcRequest({ 'content-type': 'application/json' })).toBe(false)
    expect(isGrpcRequest({})).toBe(false)
  })
})
