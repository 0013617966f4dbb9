import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Skeleton from "@cloudscape-design/components/skeleton";
import SpaceBetween from "@cloudscape-design/components/space-between";

/** Placeholder lines while a widget's data loads; the live region tells screen readers what is happening. */
export function LinesSkeleton({ lines = 4, label = "Loading" }: { lines?: number; label?: string }) {
  return (
    <div role="status" aria-label={label}>
      <SpaceBetween size="xs">
        {Array.from({ length: lines }, (_, i) => (
          <Skeleton key={i} variant="text-body-m" width={`${90 - ((i * 17) % 40)}%`} />
        ))}
      </SpaceBetween>
    </div>
  );
}

export function WidgetSkeleton({ title, lines = 4 }: { title: string; lines?: number }) {
  return (
    <Container header={<Header variant="h2">{title}</Header>}>
      <LinesSkeleton lines={lines} label={`Loading ${title.toLowerCase()}`} />
    </Container>
  );
}

export function TableSkeleton({ title }: { title: string }) {
  return (
    <ContentLayout header={<Header variant="h1">{title}</Header>}>
      <Container>
        <LinesSkeleton lines={10} label={`Loading ${title.toLowerCase()}`} />
      </Container>
    </ContentLayout>
  );
}

export function DetailSkeleton() {
  return (
    <ContentLayout header={<Skeleton variant="text-heading-xl" width="40%" />}>
      <SpaceBetween size="l">
        <WidgetSkeleton title="Diagnosis" lines={3} />
        <WidgetSkeleton title="Evidence" lines={5} />
        <WidgetSkeleton title="Remedies" lines={3} />
      </SpaceBetween>
    </ContentLayout>
  );
}
