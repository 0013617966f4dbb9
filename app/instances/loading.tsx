import { TableSkeleton } from "@/components/states/skeletons.tsx";

export default function Loading() {
  return <TableSkeleton title="Instances" />;
}
