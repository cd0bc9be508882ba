import {
  addCameraNetwork,
  cameraNetworkFields,
  listCameraNetworks,
  removeCameraNetwork,
} from "@consentry/core/camera-networks";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

/** Where the organisation's cameras may be: the probe, gateway and inference connect nowhere else. */
export const cameraNetworksRouter = router({
  list: orgProcedure("auditor").query(({ ctx }) => listCameraNetworks({ db: ctx.db, orgId: ctx.org.id })),

  add: orgProcedure("owner")
    .input(cameraNetworkFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...network } = input;
      return addCameraNetwork({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, network);
    }),

  remove: orgProcedure("owner")
    .input(z.object({ networkId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      removeCameraNetwork({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, { networkId: input.networkId }),
    ),
});
